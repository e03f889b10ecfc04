// Deadlines and cancellation: ListUsers stops when the call ends (L3).
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/describe.h"

namespace course::harness {
namespace {

using std::chrono::milliseconds;

// Enough abandoned calls at once to occupy every worker of a thread pool of
// a few hundred (grpcio servers commonly run 10 to 200), spread over a few
// connections. Each would take 9 x 8 s = 72 s if the server went on
// after its client left; the clients leave after 300 ms.
constexpr int kAbandoned = 320;
constexpr int kChannels = 4;
constexpr milliseconds kAbandonAfter(300);
constexpr int kAbandonedPage = 10;
constexpr int kAbandonedIntervalMs = 8000;
// How long after the abandoned calls ended their work may still hold
// threads: ten times their deadline, far less than the 8 s pause a plain
// sleep would hold a thread for.
constexpr milliseconds kThreadsSettle(3000);
// Threads a server may keep beyond those it had before (idle threads of a
// pool that grew, the transport's own): a quarter of the abandoned calls.
constexpr int kThreadSlack = kAbandoned / 4;

// The number of calls still running, and a wait for the last one.
class CallsInFlight {
 public:
  explicit CallsInFlight(int count) : remaining_(count) {}
  void OneEnded(bool by_deadline) {
    std::lock_guard<std::mutex> lock(mu_);
    if (by_deadline) ++ended_by_deadline_;
    if (--remaining_ == 0) all_ended_.notify_all();
  }
  // Every call has a deadline the client enforces by itself, so this ends.
  int WaitForAll() {
    std::unique_lock<std::mutex> lock(mu_);
    all_ended_.wait(lock, [this] { return remaining_ == 0; });
    return ended_by_deadline_;
  }

 private:
  std::mutex mu_;
  std::condition_variable all_ended_;
  int remaining_;
  int ended_by_deadline_ = 0;
};

// One ListUsers call on gRPC's callback API: it reads whatever comes until
// the call ends, then reports how it ended.
class ListCall final : public grpc::ClientReadReactor<v1::User> {
 public:
  ListCall(v1::UserService::Stub& stub, std::unique_ptr<grpc::ClientContext> context,
           const v1::ListUsersRequest& request, CallsInFlight& calls)
      : context_(std::move(context)), request_(request), calls_(calls) {
    stub.async()->ListUsers(context_.get(), &request_, this);
    StartRead(&user_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&user_);
  }
  void OnDone(const grpc::Status& status) override {
    calls_.OneEnded(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED);
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  v1::ListUsersRequest request_;
  v1::User user_;
  CallsInFlight& calls_;
};

// Stubs on channels of their own, each with its own connection.
std::vector<std::unique_ptr<v1::UserService::Stub>> SeparateStubs(CheckContext& ctx) {
  std::vector<std::unique_ptr<v1::UserService::Stub>> stubs;
  for (int i = 0; i < kChannels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    stubs.push_back(v1::UserService::NewStub(ctx.target().NewChannel(args)));
  }
  return stubs;
}

// Runs `count` copies of `request` at once, each under `deadline`, and
// returns how many of them ended with DEADLINE_EXCEEDED.
int RunListsAtOnce(CheckContext& ctx, std::vector<std::unique_ptr<v1::UserService::Stub>>& stubs,
                   const v1::ListUsersRequest& request, int count, milliseconds deadline) {
  CallsInFlight calls(count);
  std::vector<std::unique_ptr<ListCall>> started;
  for (int i = 0; i < count; ++i) {
    started.push_back(std::make_unique<ListCall>(*stubs[i % stubs.size()], ctx.NewCall(deadline),
                                                 request, calls));
  }
  return calls.WaitForAll();
}

// Waits up to kThreadsSettle for the server's threads to come back to at most
// `limit`; returns the last count seen (nullopt when it cannot be read).
std::optional<int> SettledThreads(ProcessControl& process, int limit) {
  const auto give_up = std::chrono::steady_clock::now() + kThreadsSettle;
  std::optional<int> threads = process.Threads();
  while (threads && *threads > limit && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(100));
    threads = process.Threads();
  }
  return threads;
}

// A fresh GetUser must answer at once, however many abandoned lists came
// before it.
void ExpectPromptGetUser(CheckContext& ctx, std::int32_t id, int ended_by_deadline) {
  const auto start = std::chrono::steady_clock::now();
  v1::GetUserRequest request;
  request.set_id(id);
  v1::User user;
  auto call = ctx.NewCall(std::chrono::seconds(4));
  grpc::Status status = ctx.users().GetUser(call.get(), request, &user);
  const auto waited =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  ctx.Sent(absl::StrCat("then GetUser <- ", Describe(request)));
  ctx.Received(absl::StrCat(ended_by_deadline, " slow lists ended by their deadline; ",
                            "GetUser -> ", DescribeStatus(status), " after ", waited.count(),
                            " ms"));
  ctx.ExpectCode(status, grpc::StatusCode::OK, "GetUser right after many abandoned slow lists",
                 "the server is still busy with calls whose clients left: "
                 "stop waiting when the call is cancelled (an alarm or a "
                 "cancellable wait, not a plain sleep)");
}

void CancelledListsFreeTheServer(CheckContext& ctx) {
  std::vector<v1::User> mine = MakeUsers(ctx, kAbandonedPage);
  auto stubs = SeparateStubs(ctx);
  ProcessControl* process = ctx.target().Process();
  v1::ListUsersRequest request;
  request.set_after_id(mine.front().id() - 1);
  std::optional<int> before;
  if (process != nullptr) {
    // First as many short lists that end well, so that a server whose pool
    // grows with its load has grown before its threads are counted.
    request.set_page_size(2);
    request.set_interval_ms(300);
    RunListsAtOnce(ctx, stubs, request, kAbandoned, ctx.rpc_deadline());
    before = process->Threads();
  }
  request.set_page_size(kAbandonedPage);
  request.set_interval_ms(kAbandonedIntervalMs);
  ctx.Sent(absl::StrCat(kAbandoned, " x ListUsers <- ", Describe(request), " at once over ",
                        kChannels, " connections, each abandoned by its ", kAbandonAfter.count(),
                        " ms deadline"));
  const int ended_by_deadline = RunListsAtOnce(ctx, stubs, request, kAbandoned, kAbandonAfter);
  ExpectPromptGetUser(ctx, mine.front().id(), ended_by_deadline);
  if (!before) return;
  const std::optional<int> after = SettledThreads(*process, *before + kThreadSlack);
  const std::string counted =
      absl::StrCat("server threads: ", *before, " before the abandoned lists, ",
                   after ? absl::StrCat(*after) : "unknown", " after them");
  ctx.Received(counted);
  ctx.Note(counted);
  ctx.Expect(!after || *after <= *before + kThreadSlack,
             absl::StrCat("the server still ran ", after.value_or(0), " threads ",
                          kThreadsSettle.count() / 1000, " s after ", kAbandoned,
                          " abandoned slow lists ended, against ", *before, " before them"),
             absl::StrCat("at most ", *before + kThreadSlack,
                          " threads: work for a call stops when its client leaves (L3)"),
             "each abandoned call left a thread sleeping through the rest of its page: "
             "wait on something the call's end wakes (an alarm, a condition, "
             "context.add_callback in Python), not a plain sleep");
}

}  // namespace

void AddDeadlineChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"deadline.list-ends-at-the-deadline", "L3",
                    "A slow ListUsers ends with DEADLINE_EXCEEDED when the deadline passes",
                    [](CheckContext& ctx) {
                      std::vector<v1::User> mine = MakeUsers(ctx, 6);
                      v1::ListUsersRequest request;
                      request.set_after_id(mine.front().id() - 1);
                      request.set_page_size(6);
                      request.set_interval_ms(400);
                      // 6 users 400 ms apart need 2 s; the deadline is 1 s.
                      ListResult listed = ListUsers(ctx, request, milliseconds(1000));
                      ctx.ExpectCode(listed.status, grpc::StatusCode::DEADLINE_EXCEEDED,
                                     "ListUsers that needs 2 s under a 1 s deadline");
                      ctx.Expect(
                          listed.users.size() >= 1 && listed.users.size() <= 4,
                          absl::StrCat(listed.users.size(), " users arrived before the deadline"),
                          "the first user at once and about two more before 1 s",
                          "send the first user without waiting");
                    }});
  checks.push_back({"deadline.cancelled-lists-free-the-server", "L3",
                    "Abandoned slow ListUsers calls stop at once and do not starve later calls",
                    CancelledListsFreeTheServer});
}

}  // namespace course::harness
