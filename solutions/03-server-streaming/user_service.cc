// Lesson 03, server streaming: ListUsers, solved.
//
// One reactor per call. It writes one user at a time: the next user is taken
// from the store only once the previous write has completed, so the server
// never holds more than one user of the list and never has two writes in
// flight.
#include <cstdint>
#include <optional>

#include "kit/kit.h"

namespace {

using course::v1::ListUsersRequest;
using course::v1::User;

constexpr std::int32_t kMaxIntervalMs = 10000;

// Task 1 (L1): a bad request is refused before any user is sent.
grpc::Status CheckRequest(const ListUsersRequest& request) {
  if (request.page_size() < 0) {
    return course::kit::InvalidField("page_size", "page_size must not be negative");
  }
  if (request.interval_ms() < 0 || request.interval_ms() > kMaxIntervalMs) {
    return course::kit::InvalidField("interval_ms", "interval_ms must be between 0 and 10000");
  }
  return grpc::Status::OK;
}

class ListUsersReactor final : public grpc::ServerWriteReactor<User> {
 public:
  ListUsersReactor(const course::domain::UserStore& store, const ListUsersRequest& request)
      : store_(store),
        unlimited_(request.page_size() == 0),
        remaining_(request.page_size()),
        cursor_(request.after_id()) {
    if (grpc::Status invalid = CheckRequest(request); !invalid.ok()) {
      Finish(invalid);
      return;
    }
    // interval_ms is valid but not used yet: the pauses (L3) are lesson 07.
    SendNext();
  }

  // Called once per StartWrite. Completing a write is what lets the next
  // one start: that is how the stream keeps one write in flight.
  void OnWriteDone(bool ok) override {
    if (!ok) {
      // The client cancelled or the connection broke: nobody will read the
      // rest, so stop instead of walking the store for nothing.
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading"));
      return;
    }
    SendNext();
  }

  // gRPC calls this once, after Finish has completed and no callback is
  // running any more: the only safe moment to free the reactor.
  void OnDone() override { delete this; }

 private:
  // Task 2 and 3 (L2): the next user after the cursor, or the end.
  void SendNext() {
    if (!unlimited_ && remaining_ == 0) {  // task 3: the page is full
      Finish(grpc::Status::OK);
      return;
    }
    // Task 2: ask the store for one user at a time. A cursor on the last id
    // sent keeps the order ascending and never repeats a user, even when
    // other calls add users while this list is being streamed.
    std::optional<course::domain::User> next = store_.FirstAfter(cursor_);
    if (!next) {  // no more users: an empty list is OK too
      Finish(grpc::Status::OK);
      return;
    }
    cursor_ = next->id;
    if (!unlimited_) --remaining_;
    // The message must stay alive until OnWriteDone: it is a member, not a
    // local.
    outgoing_.set_id(next->id);
    outgoing_.set_name(next->name);
    outgoing_.set_email(next->email);
    StartWrite(&outgoing_);
  }

  const course::domain::UserStore& store_;
  const bool unlimited_;    // page_size 0 means no limit
  std::int32_t remaining_;  // users still allowed on this page
  std::int32_t cursor_;     // the id of the last user sent (or after_id)
  User outgoing_;
};

class ServerStreamingLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* /*context*/,
                                            const ListUsersRequest* request) override {
    // The reactor owns itself from here on and deletes itself in OnDone.
    return new ListUsersReactor(store(), *request);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<ServerStreamingLesson>(argc, argv); }
