// The cancel and deadline cases of gRPC's interop test descriptions:
// cancel_after_begin, cancel_after_first_response,
// timeout_on_sleeping_server.
//
// What the descriptions assert here (CANCELLED, DEADLINE_EXCEEDED) is
// mostly the client library's doing. What the server owes is to let go of a
// call that was abandoned, so each case then makes one more call of the same
// method, which must be served as usual.
//
// A call cancelled (or timed out) at once may die before the server's
// handler ever starts, so each case also abandons one call that the server
// surely holds: after opening it, the check completes an EmptyCall on the
// same connection. HTTP/2 streams of one connection reach the server in
// order, so by then the server has taken the first call in (no sleep).
#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "suites/interop/interop_kit.h"

namespace course::harness::interop_suite {
namespace {

constexpr char kStillServes[] =
    "a call the client abandoned must not keep anything of the server's: release what it "
    "held in OnCancel (or when its reads and writes fail) and serve the next call as usual";

void StreamingInputStillServes(CheckContext& ctx, grpc::testing::TestService::Stub& stub) {
  auto call = ctx.NewCall();
  grpc::testing::StreamingInputCallResponse response;
  ctx.Sent("then StreamingInputCall <- 8 zero bytes, half-close");
  auto stream = stub.StreamingInputCall(call.get(), &response);
  StreamingInputCallRequest request;
  *request.mutable_payload() = Zeros(8);
  stream->Write(request);
  stream->WritesDone();
  ExpectOk(ctx, stream->Finish(), "the next StreamingInputCall after the cancelled one",
           kStillServes);
  ctx.Expect(
      response.aggregated_payload_size() == 8,
      absl::StrCat("the next StreamingInputCall summed ", response.aggregated_payload_size()), "8");
}

void FullDuplexStillServes(CheckContext& ctx, grpc::testing::TestService::Stub& stub,
                           const std::string& after) {
  auto call = ctx.NewCall();
  ctx.Sent("then FullDuplexCall <- response size 9, 8 zero bytes, half-close");
  auto stream = stub.FullDuplexCall(call.get());
  stream->Write(OutputRequest({9}, 8));
  stream->WritesDone();
  StreamingOutputCallResponse response;
  int responses = 0;
  while (responses < 4 && stream->Read(&response)) ++responses;
  ExpectOk(ctx, stream->Finish(), absl::StrCat("the next FullDuplexCall after ", after),
           kStillServes);
  ctx.Expect(responses == 1, absl::StrCat("the next FullDuplexCall got ", responses, " responses"),
             "one response of 9 bytes");
}

// The barrier: an EmptyCall on the same channel (and so connection).
void AfterTheServerHasIt(CheckContext& ctx, grpc::testing::TestService::Stub& stub) {
  auto call = ctx.NewCall();
  grpc::testing::Empty response;
  ctx.Sent("  EmptyCall on the same connection, so that the server has taken the call in");
  ExpectOk(ctx, stub.EmptyCall(call.get(), grpc::testing::Empty(), &response),
           "EmptyCall while another call is open");
}

void CancelAfterBegin(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  {
    auto call = ctx.NewCall();
    grpc::testing::StreamingInputCallResponse response;
    ctx.Sent("StreamingInputCall, cancelled at once");
    auto stream = stub->StreamingInputCall(call.get(), &response);
    call->TryCancel();
    ctx.ExpectCode(stream->Finish(), grpc::StatusCode::CANCELLED,
                   "StreamingInputCall cancelled before any message");
  }
  {
    auto call = ctx.NewCall();
    grpc::testing::StreamingInputCallResponse response;
    ctx.Sent("StreamingInputCall, cancelled once the server has it");
    auto stream = stub->StreamingInputCall(call.get(), &response);
    AfterTheServerHasIt(ctx, *stub);
    call->TryCancel();
    ctx.ExpectCode(stream->Finish(), grpc::StatusCode::CANCELLED,
                   "StreamingInputCall cancelled while the server held it");
  }
  StreamingInputStillServes(ctx, *stub);
}

void CancelAfterFirstResponse(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  {
    auto call = ctx.NewCall();
    ctx.Sent("FullDuplexCall <- response size 31415, 27182 zero bytes; cancel after the reply");
    auto stream = stub->FullDuplexCall(call.get());
    stream->Write(OutputRequest({31415}, 27182));
    StreamingOutputCallResponse response;
    if (!stream->Read(&response)) {
      grpc::Status status = stream->Finish();
      ctx.Received(absl::StrCat("the stream ended with code ", status.error_code(), ": ",
                                status.error_message()));
      ctx.Fail("FullDuplexCall: no reply to the first request while the stream was open",
               "a reply of 31415 bytes before the client half-closes",
               "answer each request as it arrives (FullDuplexCall is not HalfDuplexCall)");
    }
    ExpectZeros(ctx, response.payload(), 31415, "the first reply");
    call->TryCancel();
    ctx.ExpectCode(stream->Finish(), grpc::StatusCode::CANCELLED,
                   "FullDuplexCall cancelled after its first reply");
  }
  FullDuplexStillServes(ctx, *stub, "the cancelled one");
}

void TimeoutOnSleepingServer(CheckContext& ctx) {
  auto stub = TestStub(ctx);
  {
    auto call = ctx.NewCall(std::chrono::milliseconds(1));
    ctx.Sent("FullDuplexCall with a 1 ms deadline <- 27182 zero bytes, no half-close");
    auto stream = stub->FullDuplexCall(call.get());
    StreamingOutputCallRequest request;
    *request.mutable_payload() = Zeros(27182);
    stream->Write(request);  // may fail: the deadline may already have passed
    ctx.ExpectCode(stream->Finish(), grpc::StatusCode::DEADLINE_EXCEEDED,
                   "FullDuplexCall past its 1 ms deadline");
  }
  {
    const auto deadline = std::min(std::chrono::milliseconds(1000), ctx.rpc_deadline() / 2);
    auto call = ctx.NewCall(deadline);
    ctx.Sent(absl::StrCat("FullDuplexCall with a ", deadline.count(),
                          " ms deadline <- 27182 zero bytes, no half-close"));
    auto stream = stub->FullDuplexCall(call.get());
    StreamingOutputCallRequest request;
    *request.mutable_payload() = Zeros(27182);
    stream->Write(request);
    AfterTheServerHasIt(ctx, *stub);
    ctx.ExpectCode(stream->Finish(), grpc::StatusCode::DEADLINE_EXCEEDED,
                   "FullDuplexCall past its deadline while the server held it");
  }
  FullDuplexStillServes(ctx, *stub, "the one that timed out");
}

}  // namespace

void AddCancelCases(std::vector<CheckDef>& checks) {
  Add(checks, "cancel_after_begin",
      "StreamingInputCall cancelled before any message ends CANCELLED; the next one is served",
      CancelAfterBegin);
  Add(checks, "cancel_after_first_response",
      "FullDuplexCall cancelled after its first reply ends CANCELLED; the next one is served",
      CancelAfterFirstResponse);
  Add(checks, "timeout_on_sleeping_server",
      "FullDuplexCall with a 1 ms deadline ends DEADLINE_EXCEEDED; the next one is served",
      TimeoutOnSleepingServer);
}

}  // namespace course::harness::interop_suite
