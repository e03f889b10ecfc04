// Lesson 07, deadlines on the server: a ListUsers whose pauses end the moment
// the call does. Solved.
#include <grpcpp/alarm.h>

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "absl/strings/str_cat.h"
#include "kit/kit.h"

namespace {

using course::v1::ListUsersRequest;
using course::v1::User;

constexpr int kMaxIntervalMs = 10000;

// L1-L3. Exactly one operation is outstanding at any time (a write or the
// alarm), so exactly one path reaches Finish.
class SlowListReactor final : public grpc::ServerWriteReactor<User> {
 public:
  SlowListReactor(const course::domain::UserStore& store, const ListUsersRequest& request)
      : store_(store),
        page_limited_(request.page_size() > 0),
        remaining_(request.page_size()),
        cursor_(request.after_id()),
        interval_(request.interval_ms()) {
    if (request.page_size() < 0) {
      Finish(course::kit::InvalidField("page_size", "page_size must not be negative"));
      return;
    }
    if (request.interval_ms() < 0 || request.interval_ms() > kMaxIntervalMs) {
      Finish(course::kit::InvalidField(
          "interval_ms", absl::StrCat("interval_ms must be between 0 and ", kMaxIntervalMs)));
      return;
    }
    SendNext();  // the first user goes out at once
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {  // the call is over: nobody reads any more
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client is gone"));
      return;
    }
    if (page_limited_ && remaining_ == 0) {
      Finish(grpc::Status::OK);
      return;
    }
    if (interval_.count() == 0) {
      SendNext();
      return;
    }
    PauseThenSendNext();
  }

  // gRPC calls this once when the call ends early: the client cancelled,
  // the deadline passed, or the server shuts down. It may run on another
  // thread at the same moment as PauseThenSendNext.
  void OnCancel() override {
    bool cancel_alarm = false;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      cancel_alarm = waiting_;
    }
    // A cancelled alarm runs its callback at once with fired == false.
    if (cancel_alarm) alarm_.Cancel();
  }

  void OnDone() override { delete this; }

 private:
  // Waits interval_ without holding a thread: the alarm calls back when the
  // time is up, or at once (fired == false) when OnCancel cancels it.
  void PauseThenSendNext() {
    {
      std::lock_guard lock(mu_);
      if (!cancelled_) {
        // Armed under the lock, so OnCancel either sees waiting_ and cancels
        // this alarm, or ran before and we never arm it.
        waiting_ = true;
        alarm_.Set(std::chrono::system_clock::now() + interval_,
                   [this](bool fired) { AfterPause(fired); });
        return;
      }
    }
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the call ended before the pause"));
  }

  void AfterPause(bool fired) {
    bool stop = false;
    {
      std::lock_guard lock(mu_);
      waiting_ = false;
      stop = !fired || cancelled_;
    }
    if (stop) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the call ended during the pause"));
      return;
    }
    SendNext();
  }

  // L2: one user at a time, straight from the store (never the whole page).
  void SendNext() {
    std::optional<course::domain::User> next = store_.FirstAfter(cursor_);
    if (!next) {
      Finish(grpc::Status::OK);
      return;
    }
    cursor_ = next->id;
    if (page_limited_) --remaining_;
    outgoing_.set_id(next->id);
    outgoing_.set_name(next->name);
    outgoing_.set_email(next->email);
    StartWrite(&outgoing_);
  }

  const course::domain::UserStore& store_;
  const bool page_limited_;
  std::int32_t remaining_;
  std::int32_t cursor_;
  const std::chrono::milliseconds interval_;
  User outgoing_;

  grpc::Alarm alarm_;
  std::mutex mu_;
  bool cancelled_ = false;  // OnCancel has run
  bool waiting_ = false;    // the alarm is set and has not called back yet
};

class DeadlinesLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* /*context*/,
                                            const ListUsersRequest* request) override {
    return new SlowListReactor(store(), *request);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<DeadlinesLesson>(argc, argv); }
