// Lesson 09, streaming large data: ListUsers that never holds the list,
// solved.
#include <cstdint>
#include <optional>

#include "kit/kit.h"

namespace {

using course::v1::ListUsersRequest;
using course::v1::User;

// Every this many users one write goes out unbuffered and carries the ones
// buffered before it. Small enough that at most this many users wait in
// gRPC's buffers; large enough to save most of the per-write flushes.
constexpr int kFlushEvery = 32;

// Writes the users after `after_id` one at a time, straight from the store.
//
// The callback API allows one write in flight per call, and a write
// completes only once HTTP/2 flow control has let its bytes go. So this
// reactor holds one user at a time, and a slow reader simply makes the next
// OnWriteDone arrive later: the producer waits for the consumer, and no
// thread is blocked while it waits.
class StreamingList final : public grpc::ServerWriteReactor<User> {
 public:
  explicit StreamingList(const ListUsersRequest& request, const course::domain::UserStore& store)
      : store_(store),
        limited_(request.page_size() > 0),
        remaining_(request.page_size()),
        cursor_(request.after_id()) {
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    // Not ok: the client went away (cancelled, deadline, connection lost).
    // Stop producing; the status is not delivered to anyone anyway.
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client stopped reading"));
      return;
    }
    WriteNext();
  }

  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (limited_ && remaining_ == 0) {
      Finish(grpc::Status::OK);  // also flushes any buffered writes
      return;
    }
    // One lookup per user: the cursor is the only state kept between writes,
    // so users created meanwhile with a larger id are still picked up.
    std::optional<course::domain::User> next = store_.FirstAfter(cursor_);
    if (!next) {
      Finish(grpc::Status::OK);
      return;
    }
    cursor_ = next->id;
    if (limited_) --remaining_;
    outgoing_.set_id(next->id);
    outgoing_.set_name(next->name);
    outgoing_.set_email(next->email);
    // Batching: a buffer_hint write completes without a flush of its own
    // (while less than the transport's write buffer, 64 KiB, waits), so
    // small messages share frames and syscalls; every kFlushEvery-th write
    // is a normal one that pushes the batch out. Never hint the first write:
    // it carries the response headers, and a hinted first write waits for a
    // flush that never comes.
    grpc::WriteOptions options;
    if (++written_ > 1 && written_ % kFlushEvery != 0) options.set_buffer_hint();
    StartWrite(&outgoing_, options);
  }

  const course::domain::UserStore& store_;
  const bool limited_;
  std::int32_t remaining_;
  std::int32_t cursor_;
  std::int64_t written_ = 0;
  User outgoing_;  // must stay alive until OnWriteDone
};

class LargeDataLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* context,
                                            const ListUsersRequest* request) override {
    // Task 1 (L1): reject a bad request before any user is sent.
    if (request->page_size() < 0) {
      return Rejected(course::kit::InvalidField("page_size", "page_size must not be negative"));
    }
    if (request->interval_ms() < 0 || request->interval_ms() > 10000) {
      return Rejected(
          course::kit::InvalidField("interval_ms", "interval_ms must be between 0 and 10000"));
    }
    // A paced list (L3) is lesson 07's subject: the kit's reference serves it.
    if (request->interval_ms() > 0) return UserServiceBase::ListUsers(context, request);
    // Tasks 2-4: stream straight from the store.
    return new StreamingList(*request, store());
  }

 private:
  // A reactor that ends the call at once: no user is ever written.
  class RejectedList final : public grpc::ServerWriteReactor<User> {
   public:
    explicit RejectedList(const grpc::Status& status) { Finish(status); }
    void OnDone() override { delete this; }
  };

  static grpc::ServerWriteReactor<User>* Rejected(const grpc::Status& status) {
    return new RejectedList(status);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<LargeDataLesson>(argc, argv); }
