#include "domain/chat_hub.h"

#include <algorithm>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "domain/validation.h"

namespace course::domain {

absl::Status ChatHub::CheckMessage(const ChatMessage& message) const {
  if (message.room.empty()) return FieldError("room", "room must not be empty");
  if (message.room.size() > kMaxRoomBytes) {
    return FieldError("room", absl::StrCat("room is ", message.room.size(), " bytes; at most ",
                                           kMaxRoomBytes, " are allowed"));
  }
  if (message.text.empty()) {
    return FieldError("text", "text must not be empty");
  }
  if (message.text.size() > kMaxTextBytes) {
    return FieldError("text", absl::StrCat("text is ", message.text.size(), " bytes; at most ",
                                           kMaxTextBytes, " are allowed"));
  }
  return absl::OkStatus();
}

std::vector<std::shared_ptr<ChatMember>> ChatHub::RecipientsLocked(
    const Rooms& rooms, const ChatMessage& message,
    const std::shared_ptr<ChatMember>& /*sender*/) const {
  return rooms.at(message.room).members;
}

absl::StatusOr<std::int64_t> ChatHub::Post(const std::shared_ptr<ChatMember>& sender,
                                           ChatMessage message) {
  if (absl::Status status = CheckMessage(message); !status.ok()) return status;

  std::vector<std::shared_ptr<ChatMember>> recipients;
  std::int64_t seq = 0;
  {
    std::lock_guard lock(mu_);
    Room& room = rooms_[message.room];
    if (std::find(room.members.begin(), room.members.end(), sender) == room.members.end()) {
      room.members.push_back(sender);
    }
    seq = message.seq = ++room.last_seq;
    recipients = RecipientsLocked(rooms_, message, sender);
    std::vector<const ChatMember*> overflowing;
    for (const auto& member : recipients) {
      if (!member->Enqueue(message)) overflowing.push_back(member.get());
    }
    for (const ChatMember* member : overflowing) {
      for (auto& [name, other_room] : rooms_) {
        RemoveFromLocked(other_room, *member);
      }
    }
  }
  // Outside the lock: members may now call into gRPC, which may run
  // callbacks that come back to the hub (Leave).
  for (const auto& member : recipients) member->Wake();
  return seq;
}

void ChatHub::Leave(const ChatMember& member) {
  std::lock_guard lock(mu_);
  for (auto& [name, room] : rooms_) RemoveFromLocked(room, member);
}

std::size_t ChatHub::MemberCount(const std::string& room) const {
  std::lock_guard lock(mu_);
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.members.size();
}

void ChatHub::RemoveFromLocked(Room& room, const ChatMember& member) {
  room.members.erase(std::remove_if(room.members.begin(), room.members.end(),
                                    [&](const auto& m) { return m.get() == &member; }),
                     room.members.end());
}

}  // namespace course::domain
