// S4: the process contract of a server the harness started itself: the
// listening line on stdout, and a drain on SIGTERM that exits 0.
#include <grpcpp/grpcpp.h>

#include <atomic>
#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/check.h"
#include "core/describe.h"
#include "suites/server_parts.h"

namespace course::harness::server_suite {
namespace {

ProcessControl& RequireProcess(CheckContext& ctx) {
  ProcessControl* process = ctx.target().Process();
  if (process == nullptr) {
    throw CheckSkipped(
        "the harness did not start this server (run it with --server-cmd to "
        "check S4)");
  }
  return *process;
}

void PrintsListeningLine(CheckContext& ctx) {
  ProcessControl& process = RequireProcess(ctx);
  const std::string line = process.ListeningLine();
  ctx.Received(absl::StrCat("first stdout line: \"", line, "\""));
  const std::string prefix = "listening on ";
  const std::size_t colon = line.rfind(':');
  ctx.Expect(line.rfind(prefix, 0) == 0 && colon != std::string::npos && colon > prefix.size(),
             "the first line on stdout is not `listening on HOST:PORT`",
             "exactly `listening on HOST:PORT`, e.g. `listening on "
             "127.0.0.1:40123` (S4)",
             "print the line once the server is built and started, "
             "and nothing on stdout before it (logs go to stderr)");
  int port = 0;
  const std::string port_text = line.substr(colon + 1);
  ctx.Expect(absl::SimpleAtoi(port_text, &port) && port > 0 && port < 65536,
             absl::StrCat("the port in the listening line is \"", port_text, "\""),
             "the real port, 1..65535 (S4)",
             "with --listen HOST:0 print the port gRPC chose (the "
             "selected_port out-parameter of AddListeningPort), not "
             "the 0 that was asked for");
}

// A slow ListUsers of three users, read in a thread of its own. It tells the
// check when its first user has arrived, so SIGTERM surely lands while the
// call is in flight.
class SlowList {
 public:
  SlowList(CheckContext& ctx, const v1::ListUsersRequest& request)
      : call_(ctx.NewCall(std::chrono::seconds(10))),
        first_user_arrived_(first_user_.get_future()),
        reader_([this, &ctx, request] { Read(ctx, request); }) {}
  ~SlowList() {
    if (reader_.joinable()) reader_.join();
  }
  SlowList(const SlowList&) = delete;
  SlowList& operator=(const SlowList&) = delete;

  // True once the first user came; false when the call ended without one.
  // Bounded twice over: by this wait and by the call's own deadline.
  bool WaitForFirstUser() {
    first_user_arrived_.wait_for(std::chrono::seconds(10));
    return any_user_;
  }
  void Join() { reader_.join(); }
  bool any_user() const { return any_user_; }
  const std::vector<v1::User>& got() const { return got_; }
  const grpc::Status& status() const { return status_; }

 private:
  void Read(CheckContext& ctx, const v1::ListUsersRequest& request) {
    auto stream = ctx.users().ListUsers(call_.get(), request);
    v1::User user;
    while (stream->Read(&user)) {
      got_.push_back(user);
      if (got_.size() == 1) {
        any_user_ = true;
        first_user_.set_value();
      }
    }
    status_ = stream->Finish();
    if (!any_user_) first_user_.set_value();
  }

  std::unique_ptr<grpc::ClientContext> call_;
  std::vector<v1::User> got_;
  grpc::Status status_;
  std::promise<void> first_user_;
  std::future<void> first_user_arrived_;
  std::atomic<bool> any_user_{false};
  std::thread reader_;  // last: it starts once the rest is in place
};

// Fails unless the server exited 0 (`code`) and the call in flight ended OK
// with all of its users.
void ExpectDrained(CheckContext& ctx, ProcessControl& process, const std::optional<int>& code,
                   const std::string& how, const SlowList& list) {
  const std::string tail = process.StderrTail();
  ctx.Received(
      absl::StrCat("after SIGTERM: ", how, tail.empty() ? "" : "; its stderr ends with:\n", tail));
  if (!code) {
    ctx.Fail("the server was still running 6 s after SIGTERM",
             "the exit within 5 s of SIGTERM, after the calls in flight "
             "end (S4)",
             "handle SIGTERM (a signal handler that wakes main, or "
             "sigwait), then Shutdown(now + 5 s) and return from main");
  }
  ctx.Expect(*code == 0,
             absl::StrCat("after SIGTERM the server did not exit "
                          "with status 0 (",
                          how, ")"),
             "exit status 0 (S4)",
             *code == 128 + 15 ? "SIGTERM's default action kills the process: handle "
                                 "the signal, shut the server down, return 0 from main"
                               : "return 0 from main after Shutdown; SIGTERM is the "
                                 "normal way to stop a server, not an error");
  ctx.ExpectCode(list.status(), grpc::StatusCode::OK,
                 "the ListUsers call in flight when SIGTERM came",
                 "drain: Shutdown with a deadline (server->Shutdown(now "
                 "+ 5 s)) lets calls in flight finish; Shutdown() without "
                 "one, or exiting at the signal, cuts them off");
  ctx.Expect(
      list.got().size() == 3,
      absl::StrCat("the call in flight ended OK after ", list.got().size(), " of its 3 users"),
      "all 3 users, then OK (S4)",
      "a call in flight must finish its work during the drain, "
      "not end early because the server is stopping");
}

void SigtermDrainsAndExitsZero(CheckContext& ctx) {
  ProcessControl& process = RequireProcess(ctx);
  const std::vector<v1::User> made = MakeUsers(ctx, 3);
  v1::ListUsersRequest request;
  request.set_after_id(made.front().id() - 1);
  request.set_page_size(3);
  request.set_interval_ms(200);
  ctx.Reproduce(absl::StrCat("grpcurl -plaintext -d '{\"after_id\": ", request.after_id(),
                             ", \"page_size\": 3, \"interval_ms\": 200}' ",
                             AddressOrPlaceholder(ctx),
                             " course.v1.UserService/ListUsers & sleep 0.1; kill -TERM <server "
                             "pid>; wait  # all 3 users arrive, then the server exits 0"));
  ctx.Sent(absl::StrCat("ListUsers <- ", Describe(request)));

  SlowList list(ctx, request);
  std::optional<int> code;
  std::string how;
  if (list.WaitForFirstUser()) {
    ctx.Sent("SIGTERM to the server, while ListUsers streams");
    code = process.TerminateAndWait(std::chrono::seconds(6), &how);
  }
  list.Join();
  ctx.Received(absl::StrCat("ListUsers -> ", list.got().size(), " users then ",
                            DescribeStatus(list.status())));
  if (!list.any_user()) {
    ctx.Fail(
        "ListUsers never sent its first user, so there was no "
        "call in flight to drain",
        "the first of the 3 users this check created (L2)",
        "this check needs ListUsers to work first (rules L2, L3)");
  }
  ExpectDrained(ctx, process, code, how, list);
}

}  // namespace

void AddProcessChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"server.prints-listening-line", "S4",
                    "The server prints `listening on HOST:PORT` with its real, non-zero "
                    "port",
                    PrintsListeningLine});
  // Keep this check LAST: it stops the server. The runner runs the `server`
  // area last and checks in the order registered, so nothing runs after it.
  checks.push_back({"server.sigterm-drains-and-exits-zero", "S4",
                    "On SIGTERM the server finishes the call in flight and exits with "
                    "status 0",
                    SigtermDrainsAndExitsZero});
  checks.back().stops_server = true;
}

}  // namespace course::harness::server_suite
