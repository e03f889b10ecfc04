// Lesson 07, deadlines on the server: a ListUsers whose pauses end the moment
// the call does.
//
// Read lessons/07-deadlines-and-retries/README.md first. Check your work with
//   ./course check 07
// Tasks 1 and 2 are here; tasks 3 to 6 are in retry_client.cc. The reactor
// below already validates (L1) and streams (L2); what is missing is the
// pause between users (L3).
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

// L1-L3. Keep exactly one operation outstanding at any time (a write or the
// alarm), so that exactly one path reaches Finish.
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

  void OnCancel() override {
    // TODO(task 2): the call ended early (client cancel, deadline, shutdown).
    //               Under mu_, set cancelled_ and read waiting_; outside the
    //               lock, if the alarm is waiting, alarm_.Cancel(): its
    //               callback then runs at once with fired == false.
  }

  void OnDone() override { delete this; }

 private:
  void PauseThenSendNext() {
    // TODO(task 1): wait interval_ WITHOUT blocking this gRPC thread (no
    //               sleep): arm alarm_ to call AfterPause when the pause is
    //               over, under mu_ and only if the call is not cancelled
    //               (set waiting_ then). A call already cancelled ends
    //               CANCELLED instead, after releasing the lock.
    Finish(
        course::kit::UnimplementedStatus("TODO(task 1): pause between users with a grpc::Alarm"));
  }

  void AfterPause(bool fired) {
    // TODO(task 1): the alarm called back. Under mu_ clear waiting_. If it
    //               fired, SendNext(). TODO(task 2): if it did not fire (it
    //               was cancelled) or cancelled_ is set, Finish(CANCELLED).
    (void)fired;
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
