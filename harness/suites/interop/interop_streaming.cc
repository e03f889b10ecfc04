// The streaming cases of gRPC's interop test descriptions: client_streaming,
// server_streaming, ping_pong, empty_stream.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "suites/interop/interop_kit.h"

namespace course::harness::interop_suite {
namespace {

// The sizes the descriptions use for streams, in order.
const std::vector<int> kRequestSizes = {27182, 8, 1828, 45904};
const std::vector<int> kResponseSizes = {31415, 9, 2653, 58979};

void ClientStreaming(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  grpc::testing::StreamingInputCallResponse response;
  ctx.Sent("StreamingInputCall <- 27182, 8, 1828, 45904 zero bytes, then half-close");
  auto stream = stub->StreamingInputCall(call.get(), &response);
  for (int size : kRequestSizes) {
    StreamingInputCallRequest request;
    *request.mutable_payload() = Zeros(size);
    if (!stream->Write(request)) break;  // the status says why
  }
  stream->WritesDone();
  ExpectOk(ctx, stream->Finish(), "StreamingInputCall");
  ctx.Received(absl::StrCat("aggregated_payload_size: ", response.aggregated_payload_size()));
  ctx.Expect(response.aggregated_payload_size() == 74922,
             absl::StrCat("aggregated_payload_size is ", response.aggregated_payload_size()),
             "74922, the sum of the four payloads",
             "add up the payload body sizes of every request until the half-close");
}

void ServerStreaming(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  ctx.Sent("StreamingOutputCall <- response sizes 31415, 9, 2653, 58979");
  auto stream = stub->StreamingOutputCall(call.get(), OutputRequest(kResponseSizes));
  std::vector<int> sizes;
  StreamingOutputCallResponse response;
  while (sizes.size() < 16 && stream->Read(&response)) {
    sizes.push_back(static_cast<int>(response.payload().body().size()));
    ExpectZeros(ctx, response.payload(), sizes.back(), absl::StrCat("response ", sizes.size()));
  }
  ExpectOk(ctx, stream->Finish(), "StreamingOutputCall");
  ctx.Received(absl::StrCat("responses of ", absl::StrJoin(sizes, ", "), " bytes"));
  ctx.Expect(
      sizes == kResponseSizes,
      absl::StrCat("got ", sizes.size(), " responses of [", absl::StrJoin(sizes, ", "), "] bytes"),
      "four responses of 31415, 9, 2653, 58979 bytes, in that order",
      "one response per response_parameters entry, in order");
}

void PingPong(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  auto stream = stub->FullDuplexCall(call.get());
  for (std::size_t i = 0; i < kRequestSizes.size(); ++i) {
    ctx.Sent(absl::StrCat("FullDuplexCall <- response size ", kResponseSizes[i], ", ",
                          kRequestSizes[i], " zero bytes"));
    stream->Write(OutputRequest({kResponseSizes[i]}, kRequestSizes[i]));
    StreamingOutputCallResponse response;
    if (!stream->Read(&response)) {
      grpc::Status status = stream->Finish();
      ctx.Received(absl::StrCat("the stream ended: ", status.error_message()));
      ctx.Fail(absl::StrCat("FullDuplexCall: no reply to request ", i + 1,
                            " before the half-close (the call ended with code ",
                            status.error_code(), ")"),
               "each request answered while the stream is still open",
               "answer each request as it arrives; a server that waits for the half-close "
               "is HalfDuplexCall, not FullDuplexCall");
    }
    ExpectZeros(ctx, response.payload(), kResponseSizes[i], absl::StrCat("reply ", i + 1));
  }
  stream->WritesDone();
  StreamingOutputCallResponse extra;
  const bool more = stream->Read(&extra);
  ExpectOk(ctx, stream->Finish(), "FullDuplexCall after the half-close");
  ctx.Expect(!more, "a fifth response came after the half-close", "exactly four responses");
}

void EmptyStream(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  auto call = ctx.NewCall();
  ctx.Sent("FullDuplexCall <- (nothing), half-close");
  auto stream = stub->FullDuplexCall(call.get());
  stream->WritesDone();
  int responses = 0;
  StreamingOutputCallResponse response;
  while (responses < 16 && stream->Read(&response)) ++responses;
  ExpectOk(ctx, stream->Finish(), "FullDuplexCall with no requests");
  ctx.Expect(responses == 0, absl::StrCat("an empty stream got ", responses, " responses"),
             "exactly zero responses", "answer only the response_parameters you were sent");
}

}  // namespace

void AddStreamingCases(std::vector<CheckDef>& checks) {
  Add(checks, "client_streaming",
      "StreamingInputCall with 27182, 8, 1828, 45904 bytes answers aggregated_payload_size 74922",
      ClientStreaming);
  Add(checks, "server_streaming",
      "StreamingOutputCall answers 31415, 9, 2653, 58979 bytes, in order", ServerStreaming);
  Add(checks, "ping_pong",
      "FullDuplexCall answers each of four requests before the next one is sent", PingPong);
  Add(checks, "empty_stream", "FullDuplexCall with no requests ends OK with no responses",
      EmptyStream);
}

}  // namespace course::harness::interop_suite
