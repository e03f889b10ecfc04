// The compression cases of gRPC's interop test descriptions:
// client_compressed_unary, server_compressed_unary,
// client_compressed_streaming, server_compressed_streaming.
//
// The feature probes (an uncompressed request marked expect_compressed must
// be INVALID_ARGUMENT) are SHOULD checks of their own: the descriptions make
// CompressedRequest a feature a client probes for, and gRPC C++ 1.51 gives a
// server no public way to see whether a request arrived compressed.
#include "absl/strings/str_cat.h"
#include "suites/interop/interop_kit.h"

namespace course::harness::interop_suite {
namespace {

constexpr char kCannotSee[] =
    "a server that cannot see whether a request arrived compressed cannot implement "
    "CompressedRequest; gRPC C++ 1.51 (the reference) gives a server no public way to see it";

SimpleRequest CompressedUnaryRequest(bool expect_compressed) {
  SimpleRequest request = LargeRequest();
  request.mutable_expect_compressed()->set_value(expect_compressed);
  return request;
}

void UnaryProbe(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  SimpleResponse response;
  ctx.Sent("UnaryCall <- uncompressed, expect_compressed: true, response_size 314159");
  ctx.ExpectCode(stub->UnaryCall(call.get(), CompressedUnaryRequest(true), &response),
                 grpc::StatusCode::INVALID_ARGUMENT,
                 "the uncompressed probe marked expect_compressed", kCannotSee);
}

void ClientCompressedUnary(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  for (bool compressed : {true, false}) {
    auto call = ctx.NewCall();
    if (compressed) call->set_compression_algorithm(GRPC_COMPRESS_GZIP);
    const std::string what = compressed ? "gzip-compressed UnaryCall, expect_compressed: true"
                                        : "uncompressed UnaryCall, expect_compressed: false";
    ctx.Sent(absl::StrCat(what, ", response_size 314159, 271828 zero bytes"));
    SimpleResponse response;
    ExpectOk(ctx, stub->UnaryCall(call.get(), CompressedUnaryRequest(compressed), &response), what,
             "accept gzip-compressed requests (grpc-encoding: gzip)");
    ExpectZeros(ctx, response.payload(), kLargeResponseSize, what);
  }
}

// The compressed flags of one call, or a note that they could not be seen.
void ExpectFlags(CheckContext& ctx, const std::string& method, const std::string& request,
                 const std::vector<bool>& want) {
  std::string why_not;
  auto flags = ResponseCompressedFlags(ctx, method, request, &why_not);
  if (!flags) {
    ctx.Note(absl::StrCat("compressed flags not checked: ", why_not));
    return;
  }
  auto text = [](const std::vector<bool>& f) {
    std::string out;
    for (bool b : f) absl::StrAppend(&out, out.empty() ? "" : " ", b ? 1 : 0);
    return "[" + out + "]";
  };
  ctx.Expect(*flags == want,
             absl::StrCat(method, ": the responses' compressed flags were ", text(*flags)),
             absl::StrCat("flags ", text(want), " (1: compressed, as the request asked)"),
             "compress a response when asked (response_compressed, or a parameter's "
             "`compressed`) and only then; gRPC C++: set_compression_algorithm on the call, "
             "WriteOptions().set_no_compression() for a message that must not be");
}

void ServerCompressedUnary(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  for (bool compressed : {true, false}) {
    SimpleRequest request = LargeRequest();
    request.mutable_response_compressed()->set_value(compressed);
    const std::string what = absl::StrCat("UnaryCall, response_compressed: ", compressed);
    ctx.Sent(absl::StrCat(what, ", response_size 314159"));
    auto call = ctx.NewCall();
    SimpleResponse response;
    ExpectOk(ctx, stub->UnaryCall(call.get(), request, &response), what);
    ExpectZeros(ctx, response.payload(), kLargeResponseSize, what);
    ExpectFlags(ctx, "UnaryCall", request.SerializeAsString(), {compressed});
  }
}

StreamingInputCallRequest InputRequest(bool expect_compressed, int size) {
  StreamingInputCallRequest request;
  request.mutable_expect_compressed()->set_value(expect_compressed);
  *request.mutable_payload() = Zeros(size);
  return request;
}

void StreamingProbe(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  grpc::testing::StreamingInputCallResponse response;
  ctx.Sent("StreamingInputCall <- uncompressed {expect_compressed: true, 27182 zero bytes}");
  auto stream = stub->StreamingInputCall(call.get(), &response);
  stream->Write(InputRequest(true, 27182));
  stream->WritesDone();
  ctx.ExpectCode(stream->Finish(), grpc::StatusCode::INVALID_ARGUMENT,
                 "the uncompressed probe marked expect_compressed", kCannotSee);
}

void ClientCompressedStreaming(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  call->set_compression_algorithm(GRPC_COMPRESS_GZIP);
  grpc::testing::StreamingInputCallResponse response;
  ctx.Sent("StreamingInputCall (gzip) <- compressed {expect_compressed: true, 27182 zero bytes}");
  ctx.Sent("  then uncompressed {expect_compressed: false, 45904 zero bytes}, half-close");
  auto stream = stub->StreamingInputCall(call.get(), &response);
  stream->Write(InputRequest(true, 27182));
  stream->Write(InputRequest(false, 45904), grpc::WriteOptions().set_no_compression());
  stream->WritesDone();
  ExpectOk(ctx, stream->Finish(), "StreamingInputCall with one compressed message",
           "accept a stream whose messages are compressed one by one");
  ctx.Expect(response.aggregated_payload_size() == 73086,
             absl::StrCat("aggregated_payload_size is ", response.aggregated_payload_size()),
             "73086 (27182 + 45904)");
}

void ServerCompressedStreaming(CheckContext& ctx) {
  StreamingOutputCallRequest request = OutputRequest({31415, 92653});
  request.mutable_response_parameters(0)->mutable_compressed()->set_value(true);
  request.mutable_response_parameters(1)->mutable_compressed()->set_value(false);
  ctx.Sent(
      "StreamingOutputCall <- {size 31415, compressed: true}, {size 92653, compressed: false}");
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  auto stream = stub->StreamingOutputCall(call.get(), request);
  std::vector<int> sizes;
  StreamingOutputCallResponse response;
  while (stream->Read(&response) && sizes.size() < 10) {
    ExpectZeros(ctx, response.payload(), static_cast<int>(response.payload().body().size()),
                absl::StrCat("response ", sizes.size() + 1));
    sizes.push_back(static_cast<int>(response.payload().body().size()));
  }
  ExpectOk(ctx, stream->Finish(), "StreamingOutputCall");
  ctx.Expect(sizes == std::vector<int>{31415, 92653},
             absl::StrCat("got ", sizes.size(), " responses"), "two: 31415 and 92653 bytes");
  ExpectFlags(ctx, "StreamingOutputCall", request.SerializeAsString(), {true, false});
}

}  // namespace

void AddCompressionCases(std::vector<CheckDef>& checks) {
  Add(checks, "client_compressed_unary",
      "a gzip-compressed and an uncompressed UnaryCall both succeed with 314159 bytes",
      ClientCompressedUnary);
  Add(checks, "client_compressed_unary.probe",
      "an uncompressed UnaryCall marked expect_compressed is INVALID_ARGUMENT (CompressedRequest)",
      UnaryProbe, Level::kShould);
  Add(checks, "server_compressed_unary",
      "response_compressed true/false: 314159 bytes, compressed flag set exactly when asked",
      ServerCompressedUnary);
  Add(checks, "client_compressed_streaming",
      "StreamingInputCall with one compressed and one uncompressed message sums 73086",
      ClientCompressedStreaming);
  Add(checks, "client_compressed_streaming.probe",
      "an uncompressed stream message marked expect_compressed is INVALID_ARGUMENT", StreamingProbe,
      Level::kShould);
  Add(checks, "server_compressed_streaming",
      "StreamingOutputCall: 31415 bytes compressed, then 92653 bytes uncompressed",
      ServerCompressedStreaming);
}

}  // namespace course::harness::interop_suite
