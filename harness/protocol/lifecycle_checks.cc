// A graceful stop (PROTOCOL-HTTP2 "GOAWAY Frame", RFC 9113 6.8): on SIGTERM
// the server tells its clients with GOAWAY which calls it accepted, and
// finishes them. Only for a server the harness started (--server-cmd); the
// check stops it, so a run takes it last.
#include <future>

#include "absl/strings/str_cat.h"
#include "protocol/wire_kit.h"

namespace course::harness::protocol {
namespace {

using wire::Clock;

void SigtermSendsGoawayAndFinishesCalls(CheckContext& ctx) {
  ProcessControl* process = ctx.target().Process();
  if (process == nullptr) {
    throw CheckSkipped("needs --server-cmd: the harness stops only a server it started");
  }
  if (std::optional<std::string> ended = process->EndedHow(std::chrono::milliseconds(0))) {
    throw CheckSkipped(absl::StrCat("the server has already stopped (", *ended, ")"));
  }
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  wire::H2Client& c = w.Connect();
  const std::string message = wire::LengthPrefixed(method.request);
  const int baseline =
      EndedWithStatus(w, CallLiveOn(w, c, method, {message}), "a call before the stop");
  // A call in flight: its HEADERS are in (a PING's ACK says so), its message
  // is not.
  const std::int32_t id = c.SubmitRequest(LiveHeaders(ctx, w, method), {}, false);
  c.SubmitPing("inflight");
  c.RunUntil([&] { return !c.ping_acks().empty(); }, w.Deadline());
  ctx.Sent(absl::StrCat("SIGTERM to the server while a call to ", method.path,
                        " is in flight; then that call's message"));
  auto stopped = std::async(std::launch::async, [process] {
    std::string how;
    const std::optional<int> code = process->TerminateAndWait(std::chrono::seconds(8), &how);
    return how.empty() && code ? absl::StrCat("exited with status ", *code) : how;
  });
  const auto bound = Clock::now() + std::chrono::seconds(5);
  c.RunUntil([&] { return c.goaway_code().has_value() || c.peer_closed(); }, bound);
  c.SubmitData(id, {message}, true);
  const bool ended = c.WaitForStream(id, bound);
  const std::string how = stopped.get();
  w.Record();
  Wire::Call call{&c, id, ended, {}};
  ctx.Received(
      absl::StrCat(c.goaway_code() ? absl::StrCat("GOAWAY error ", *c.goaway_code()) : "no GOAWAY",
                   "; the call in flight: ", Ending(call), "; the server ", how));
  ctx.Expect(c.goaway_code().has_value(),
             c.peer_closed() ? "the server closed the connection after SIGTERM without a GOAWAY"
                             : "no GOAWAY came within 5 s of SIGTERM",
             "GOAWAY (NO_ERROR) naming the last call it accepted, before it closes the connection",
             "a gRPC library sends it when the server shuts down gracefully (in C++: "
             "Server::Shutdown with a deadline) instead of exiting at once");
  const std::optional<int> status = wire_suite::GrpcStatus(call.r());
  ctx.Expect(status == baseline, absl::StrCat("the call in flight at SIGTERM got ", Ending(call)),
             absl::StrCat("grpc-status ", baseline,
                          ", as before the stop: an accepted call is "
                          "finished"),
             "drain: stop accepting new calls, finish the ones in flight, then exit");
}

}  // namespace

void AddLifecycleChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.lifecycle.sigterm-sends-goaway-and-finishes-calls",
      "PROTOCOL-HTTP2 GOAWAY Frame",
      "on SIGTERM the server sends GOAWAY and finishes the call in flight",
      SigtermSendsGoawayAndFinishesCalls, Level::kShould);
  checks.back().stops_server = true;
}

}  // namespace course::harness::protocol
