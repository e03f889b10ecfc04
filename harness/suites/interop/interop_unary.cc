// The unary cases of gRPC's interop test descriptions: empty_unary,
// large_unary, custom_metadata, status_code_and_message,
// special_status_message, unimplemented_method, unimplemented_service, and
// the soak cases with a bounded count.
#include <map>
#include <optional>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "core/describe.h"
#include "interop/test_service.h"
#include "suites/interop/interop_kit.h"

namespace course::harness::interop_suite {
namespace {

constexpr int kSoakIterations = 10;
constexpr char kInitialValue[] = "test_initial_metadata_value";
const std::string kTrailingValue = "\xab\xab\xab";

void LargeUnary(CheckContext& ctx, grpc::testing::TestService::Stub& stub,
                const std::string& what) {
  auto call = ctx.NewCall();
  SimpleResponse response;
  grpc::Status status = stub.UnaryCall(call.get(), LargeRequest(), &response);
  ExpectOk(ctx, status, what);
  ExpectZeros(ctx, response.payload(), kLargeResponseSize, what);
}

std::optional<std::string> Lookup(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                                  const std::string& key) {
  auto it = metadata.find(key);
  if (it == metadata.end()) return std::nullopt;
  return std::string(it->second.data(), it->second.size());
}

// Echo Metadata: the initial value in the initial metadata, the binary one
// in the trailers.
void ExpectEchoed(CheckContext& ctx, const grpc::ClientContext& call, const std::string& what) {
  auto initial = Lookup(call.GetServerInitialMetadata(), course::interop::kEchoInitial);
  ctx.Expect(initial && *initial == kInitialValue,
             absl::StrCat(what, ": x-grpc-test-echo-initial came back as ",
                          initial ? "\"" + *initial + "\"" : "nothing", " in the initial metadata"),
             absl::StrCat("x-grpc-test-echo-initial: ", kInitialValue, " in the initial metadata"),
             "copy the header from the request into the response's initial metadata");
  auto trailing = Lookup(call.GetServerTrailingMetadata(), course::interop::kEchoTrailing);
  ctx.Expect(trailing && *trailing == kTrailingValue,
             absl::StrCat(what, ": x-grpc-test-echo-trailing-bin came back as ",
                          trailing ? absl::StrCat(trailing->size(), " bytes") : "nothing",
                          " in the trailers"),
             "x-grpc-test-echo-trailing-bin: 0xababab in the trailing metadata");
}

void AddMetadata(grpc::ClientContext* call) {
  call->AddMetadata(course::interop::kEchoInitial, kInitialValue);
  call->AddMetadata(course::interop::kEchoTrailing, kTrailingValue);
}

void CustomMetadata(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  {
    auto call = ctx.NewCall();
    AddMetadata(call.get());
    ctx.Sent("UnaryCall <- response_size 314159, 271828 zero bytes, with both echo headers");
    SimpleResponse response;
    grpc::Status status = stub->UnaryCall(call.get(), LargeRequest(), &response);
    ExpectOk(ctx, status, "UnaryCall with echo metadata");
    ExpectZeros(ctx, response.payload(), kLargeResponseSize, "UnaryCall with echo metadata");
    ExpectEchoed(ctx, *call, "UnaryCall");
  }
  auto call = ctx.NewCall();
  AddMetadata(call.get());
  ctx.Sent("FullDuplexCall <- response size 314159, 271828 zero bytes, then half-close");
  auto stream = stub->FullDuplexCall(call.get());
  stream->Write(OutputRequest({kLargeResponseSize}, kLargeRequestSize));
  stream->WritesDone();
  StreamingOutputCallResponse response;
  int responses = 0;
  while (stream->Read(&response)) ++responses;
  ExpectOk(ctx, stream->Finish(), "FullDuplexCall with echo metadata");
  ctx.Expect(responses == 1, absl::StrCat("FullDuplexCall: ", responses, " responses"),
             "exactly one");
  ExpectEchoed(ctx, *call, "FullDuplexCall");
}

void ExpectEchoedStatus(CheckContext& ctx, const grpc::Status& status, const std::string& message,
                        const std::string& what) {
  ctx.ExpectCode(status, grpc::StatusCode::UNKNOWN, what,
                 "end the call with response_status's code (Echo Status)");
  ctx.Expect(status.error_message() == message,
             absl::StrCat(what, ": the message came back as \"",
                          absl::CEscape(status.error_message()), "\""),
             absl::StrCat("\"", absl::CEscape(message), "\", byte for byte"),
             "send response_status.message unchanged: no trimming, percent-encode it on the "
             "wire and decode it back");
}

void StatusCodeAndMessage(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  const std::string message = "test status message";
  SimpleRequest unary;
  unary.mutable_response_status()->set_code(2);
  unary.mutable_response_status()->set_message(message);
  ctx.Sent("UnaryCall <- response_status {code: 2, message: \"test status message\"}");
  auto call = ctx.NewCall();
  SimpleResponse response;
  ExpectEchoedStatus(ctx, stub->UnaryCall(call.get(), unary, &response), message, "UnaryCall");

  StreamingOutputCallRequest duplex;
  *duplex.mutable_response_status() = unary.response_status();
  ctx.Sent("FullDuplexCall <- response_status {code: 2, message: \"test status message\"}");
  auto stream_call = ctx.NewCall();
  auto stream = stub->FullDuplexCall(stream_call.get());
  stream->Write(duplex);
  stream->WritesDone();
  StreamingOutputCallResponse ignored;
  while (stream->Read(&ignored)) {
  }
  ExpectEchoedStatus(ctx, stream->Finish(), message, "FullDuplexCall");
}

void SpecialStatusMessage(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  const std::string message =
      "\t\ntest with whitespace\r\nand Unicode BMP \xe2\x98\xba and non-BMP \xf0\x9f\x98\x88\t\n";
  SimpleRequest request;
  request.mutable_response_status()->set_code(2);
  request.mutable_response_status()->set_message(message);
  ctx.Sent(absl::StrCat("UnaryCall <- response_status {code: 2, message: \"",
                        absl::CEscape(message), "\"}"));
  auto call = ctx.NewCall();
  SimpleResponse response;
  ExpectEchoedStatus(ctx, stub->UnaryCall(call.get(), request, &response), message, "UnaryCall");
}

template <class Stub>
void ExpectUnimplemented(CheckContext& ctx, Stub& stub, const std::string& method) {
  auto call = ctx.NewCall();
  grpc::testing::Empty response;
  ctx.Sent(absl::StrCat(method, " <- Empty{}"));
  ctx.ExpectCode(stub.UnimplementedCall(call.get(), grpc::testing::Empty(), &response),
                 grpc::StatusCode::UNIMPLEMENTED, method,
                 "leave this method out: gRPC answers UNIMPLEMENTED for it");
}

// rpc_soak and channel_soak: large_unary again and again, on one channel or
// on a new one each time; every iteration must succeed.
void Soak(CheckContext& ctx, bool new_channel_each_time) {
  auto shared = TestStub(ctx);
  for (int i = 1; i <= kSoakIterations; ++i) {
    std::unique_ptr<grpc::testing::TestService::Stub> own;
    if (new_channel_each_time) {
      grpc::ChannelArguments args;
      args.SetInt("grpc.use_local_subchannel_pool", 1);  // a connection of its own
      own = grpc::testing::TestService::NewStub(ctx.target().NewChannel(args));
    }
    LargeUnary(ctx, new_channel_each_time ? *own : *shared,
               absl::StrCat("iteration ", i, " of ", kSoakIterations));
  }
}

}  // namespace

void AddUnaryCases(std::vector<CheckDef>& checks) {
  Add(checks, "empty_unary", "EmptyCall with an empty request succeeds with an empty response",
      [](CheckContext& ctx) {
        auto stub = TestStub(ctx);
        auto call = ctx.NewCall();
        grpc::testing::Empty response;
        ctx.Sent("EmptyCall <- Empty{}");
        ExpectOk(ctx, stub->EmptyCall(call.get(), grpc::testing::Empty(), &response), "EmptyCall");
      });
  Add(checks, "large_unary", "UnaryCall with 271828 zero bytes answers with 314159 zero bytes",
      [](CheckContext& ctx) {
        ctx.Sent("UnaryCall <- response_size 314159, 271828 zero bytes");
        LargeUnary(ctx, *TestStub(ctx), "UnaryCall");
      });
  Add(checks, "custom_metadata",
      "echo headers come back: the initial one in initial metadata, the -bin one in trailers "
      "(UnaryCall and FullDuplexCall)",
      CustomMetadata);
  Add(checks, "status_code_and_message",
      "response_status's code and message end UnaryCall and FullDuplexCall", StatusCodeAndMessage);
  Add(checks, "special_status_message",
      "a status message with tabs, CR LF and non-BMP Unicode comes back byte for byte",
      SpecialStatusMessage);
  Add(checks, "unimplemented_method", "TestService/UnimplementedCall is UNIMPLEMENTED",
      [](CheckContext& ctx) {
        ExpectUnimplemented(ctx, *TestStub(ctx), "TestService/UnimplementedCall");
      });
  Add(checks, "unimplemented_service", "UnimplementedService/UnimplementedCall is UNIMPLEMENTED",
      [](CheckContext& ctx) {
        auto stub = grpc::testing::UnimplementedService::NewStub(ctx.target().Channel());
        ExpectUnimplemented(ctx, *stub, "UnimplementedService/UnimplementedCall");
      });
  Add(checks, "rpc_soak",
      absl::StrCat(kSoakIterations, " large_unary calls in a row on one channel all succeed"),
      [](CheckContext& ctx) { Soak(ctx, false); });
  Add(checks, "channel_soak",
      absl::StrCat(kSoakIterations, " large_unary calls, each on a new channel, all succeed"),
      [](CheckContext& ctx) { Soak(ctx, true); });
}

}  // namespace course::harness::interop_suite
