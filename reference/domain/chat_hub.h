// Chat rooms of the course contract (H1-H4, H6), independent of gRPC.
#ifndef COURSE_REFERENCE_DOMAIN_CHAT_HUB_H_
#define COURSE_REFERENCE_DOMAIN_CHAT_HUB_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace course::domain {

struct ChatMessage {
  std::string room;
  std::string sender;
  std::string text;
  std::int64_t seq = 0;
};

// H6: a member with more than this many messages waiting is dropped.
inline constexpr std::size_t kMaxPendingMessages = 1024;

// One chat stream as the hub sees it.
class ChatMember {
 public:
  virtual ~ChatMember() = default;
  // Queues one message. Called with the hub's lock held, so every member of
  // a room queues that room's messages in seq order (H4). Must be quick and
  // must not call back into the hub. Returns false when the member is over
  // its limit (H6); the hub then removes it from every room.
  virtual bool Enqueue(const ChatMessage& message) = 0;
  // Called after Enqueue once the hub's lock is released: the member may now
  // start sending what it queued, or end its stream.
  virtual void Wake() = 0;
};

// Rooms, their members and their sequence numbers. Thread-safe.
class ChatHub {
 public:
  virtual ~ChatHub() = default;

  // Checks H1 (INVALID_ARGUMENT naming "room" or "text"), joins the sender to
  // the room (H2), numbers the message (H3) and queues it for every member of
  // the room, the sender included. Returns the seq given to the message.
  absl::StatusOr<std::int64_t> Post(const std::shared_ptr<ChatMember>& sender, ChatMessage message);
  // Removes the member from every room it joined. Safe to call repeatedly.
  void Leave(const ChatMember& member);

  // Members currently in the room (for tests and diagnostics).
  std::size_t MemberCount(const std::string& room) const;

 protected:
  struct Room {
    std::int64_t last_seq = 0;
    std::vector<std::shared_ptr<ChatMember>> members;
  };
  using Rooms = std::unordered_map<std::string, Room>;

  // Two rules of Post as hooks, so that the mutant servers of
  // harness/selftest/mutants can each break one of them; the answers given
  // here are the contract's.
  //
  // H1: OK, or INVALID_ARGUMENT naming the field ("room" or "text").
  virtual absl::Status CheckMessage(const ChatMessage& message) const;
  // H2-H4: who gets `message`, already numbered: every member of its room,
  // the sender included. Called with the hub's lock held.
  virtual std::vector<std::shared_ptr<ChatMember>> RecipientsLocked(
      const Rooms& rooms, const ChatMessage& message,
      const std::shared_ptr<ChatMember>& sender) const;

 private:
  static void RemoveFromLocked(Room& room, const ChatMember& member);

  mutable std::mutex mu_;
  Rooms rooms_;
};

}  // namespace course::domain

#endif  // COURSE_REFERENCE_DOMAIN_CHAT_HUB_H_
