// Lesson 10, the chat hub: rooms and outboxes, solved.
#include "hub.h"

#include <algorithm>
#include <utility>

namespace chat {

// ---- Outbox ----------------------------------------------------------------

bool Outbox::Push(const Message& message) {
  std::lock_guard lock(mu_);
  if (finished_ || end_) return false;  // on its way out: drop it from the rooms
  waiting_.push_back(message);
  if (waiting_.size() > kMaxWaiting) {
    // H6: this reader is too slow. End only its stream; dropping the queue
    // (rather than skipping some messages) keeps what it got gap-free (H4).
    waiting_.clear();
    end_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                        "more than 1024 messages were waiting for this stream; "
                        "read faster to stay in the room");
    return false;
  }
  return true;
}

void Outbox::Flush() {
  ChatReactor* reactor = nullptr;
  std::optional<grpc::Status> finish;
  {
    std::lock_guard lock(mu_);
    if (reactor_ == nullptr || finished_ || writing_) return;
    if (end_) {
      finish = *end_;
    } else if (!waiting_.empty()) {
      in_flight_ = std::move(waiting_.front());
      waiting_.pop_front();
      writing_ = true;
    } else if (input_done_) {
      finish = grpc::Status::OK;  // H5: every echo is written
    } else {
      return;  // nothing due until the next Push, WriteDone or end
    }
    finished_ = finish.has_value();
    reactor = reactor_;
  }
  // The lock is released. The reactor is alive: it cannot reach OnDone
  // before Finish, and only this function calls Finish, once.
  if (finish) {
    reactor->Finish(std::move(*finish));
  } else {
    reactor->StartWrite(&in_flight_);
  }
}

void Outbox::EndWith(grpc::Status status) {
  {
    std::lock_guard lock(mu_);
    if (!end_) end_ = std::move(status);
    waiting_.clear();
  }
  Flush();
}

void Outbox::InputDone() {
  {
    std::lock_guard lock(mu_);
    input_done_ = true;
  }
  Flush();
}

void Outbox::WriteDone(bool ok) {
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok && !end_) {
      end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
      waiting_.clear();
    }
  }
  Flush();
}

bool Outbox::Ending() {
  std::lock_guard lock(mu_);
  return finished_ || end_.has_value();
}

void Outbox::Detach() {
  std::lock_guard lock(mu_);
  reactor_ = nullptr;
}

// ---- Hub -------------------------------------------------------------------

void Hub::Post(const std::shared_ptr<Outbox>& from, Message message) {
  std::vector<std::shared_ptr<Outbox>> recipients;
  {
    std::lock_guard lock(mu_);
    Room& room = rooms_[message.room()];
    if (std::find(room.members.begin(), room.members.end(), from) == room.members.end()) {
      room.members.push_back(from);  // H2: joins with its first message here
    }
    message.set_seq(++room.last_seq);  // H3: replaces whatever the client sent
    // Numbering and queueing happen under the same lock, so no other Post
    // can slip in between: every member queues the room in seq order (H4).
    recipients = room.members;
    for (const auto& member : recipients) {
      if (!member->Push(message)) RemoveLocked(member.get());  // H6
    }
  }
  // Outside the lock: start the writes (and the Finish of anyone dropped).
  for (const auto& member : recipients) member->Flush();
}

void Hub::Leave(const Outbox* member) {
  std::lock_guard lock(mu_);
  RemoveLocked(member);
}

void Hub::RemoveLocked(const Outbox* member) {
  for (auto& [name, room] : rooms_) {
    auto& members = room.members;
    members.erase(std::remove_if(members.begin(), members.end(),
                                 [member](const auto& m) { return m.get() == member; }),
                  members.end());
  }
}

}  // namespace chat
