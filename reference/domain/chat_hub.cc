#include "domain/chat_hub.h"

#include <algorithm>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "domain/validation.h"
#include "service/faults.h"

namespace course::domain {
namespace {

absl::Status CheckMessage(const ChatMessage& message) {
  if (message.room.empty()) return FieldError("room", "room must not be empty");
  if (message.room.size() > kMaxRoomBytes) {
    return FieldError("room", absl::StrCat("room is ", message.room.size(), " bytes; at most ",
                                           kMaxRoomBytes, " are allowed"));
  }
  if (message.text.empty() && !COURSE_FAULT("H1")) {
    return FieldError("text", "text must not be empty");
  }
  if (message.text.size() > kMaxTextBytes) {
    return FieldError("text", absl::StrCat("text is ", message.text.size(), " bytes; at most ",
                                           kMaxTextBytes, " are allowed"));
  }
  return absl::OkStatus();
}

}  // namespace

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
    recipients = room.members;
    if (COURSE_FAULT("H2")) {  // deliver to every stream of every room
      for (const auto& [name, other] : rooms_) {
        for (const auto& member : other.members) {
          if (std::find(recipients.begin(), recipients.end(), member) == recipients.end()) {
            recipients.push_back(member);
          }
        }
      }
    }
    std::vector<const ChatMember*> overflowing;
    for (const auto& member : recipients) {
      if (COURSE_FAULT("H3") && member == sender) continue;  // no echo
      if (COURSE_FAULT("H4") && seq % 4 == 0 && member != sender) continue;
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
