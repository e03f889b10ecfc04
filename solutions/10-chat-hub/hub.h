// Lesson 10, the chat hub: the rooms every Chat stream shares (Hub), and the
// outgoing side of one stream (Outbox).
//
// Locking: Hub::mu_ may be held while an Outbox's mu_ is taken (Hub -> Outbox,
// never the other way), and neither lock is ever held while calling into
// gRPC, because StartWrite and Finish may run a reaction on the calling
// thread, and that reaction may come back here.
#ifndef COURSE_LESSON_10_HUB_H_
#define COURSE_LESSON_10_HUB_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "course/v1/course.pb.h"

namespace chat {

using course::v1::Message;
using ChatReactor = grpc::ServerBidiReactor<Message, Message>;

// H6: a stream with more than this many messages waiting is ended.
inline constexpr std::size_t kMaxWaiting = 1024;

// What one stream still has to write, and the one place that writes it.
//
// The hub holds Outboxes by shared_ptr, and a Post in progress may hold one
// a little longer than its room does, so an Outbox can outlive its reactor.
// It only touches the reactor while it has not called Finish: the reactor
// cannot reach OnDone (and delete itself) before that Finish.
class Outbox {
 public:
  explicit Outbox(ChatReactor* reactor) : reactor_(reactor) {}

  // Queues one message. Called by the hub with its lock held, so a room's
  // messages reach every member's queue in seq order (H4). Quick, no gRPC.
  // Returns false when this stream must leave every room: it just went over
  // kMaxWaiting (H6), or it is already ending.
  bool Push(const Message& message);

  // Starts the next write, or the Finish, if one is due and nothing is in
  // flight. Call it with no lock held, after anything that may make work.
  void Flush();

  // The stream ends with `status` once no write is in flight; what still
  // waits is dropped. The first end wins.
  void EndWith(grpc::Status status);
  // The client half-closed: end OK once everything queued is written (H5).
  void InputDone();
  // OnWriteDone: the write in flight is over; ok=false means the call broke.
  void WriteDone(bool ok);
  // The stream is on its way out (an end is set, or Finish was called).
  bool Ending();
  // OnDone: the reactor is gone. Nothing may touch it any more.
  void Detach();

 private:
  std::mutex mu_;
  ChatReactor* reactor_;         // null after Detach
  std::deque<Message> waiting_;  // queued, not yet written
  Message in_flight_;            // gRPC reads it until OnWriteDone
  bool writing_ = false;
  bool input_done_ = false;
  bool finished_ = false;            // Finish was called: never again
  std::optional<grpc::Status> end_;  // end early with this
};

// Rooms, their members and their seq counters. One Hub serves both
// ChatService.Chat and UserService.Chat (H3: one set of rooms).
class Hub {
 public:
  // Joins `from` to the message's room (H2), gives the message the room's
  // next seq (H3) and queues it for every member, `from` included, all under
  // one lock (H4). Members over their limit leave every room (H6). The
  // message must already be valid (H1).
  void Post(const std::shared_ptr<Outbox>& from, Message message);

  // Removes the member from every room it joined. Safe to call repeatedly.
  void Leave(const Outbox* member);

 private:
  struct Room {
    std::int64_t last_seq = 0;
    std::vector<std::shared_ptr<Outbox>> members;
  };

  void RemoveLocked(const Outbox* member);

  std::mutex mu_;
  std::unordered_map<std::string, Room> rooms_;
};

}  // namespace chat

#endif  // COURSE_LESSON_10_HUB_H_
