// Lesson 10, the chat hub: rooms (Hub) and each stream's outgoing queue
// (Outbox). The declarations, and the locking rules, are in hub.h.
#include "hub.h"

#include <algorithm>
#include <utility>

namespace chat {

// ---- Outbox ----------------------------------------------------------------

bool Outbox::Push(const Message& message) {
  // TODO(task 1): under mu_, append the message to waiting_. Return false
  //               (and queue nothing) once finished_ or end_ is set.
  // TODO(task 6): more than kMaxWaiting waiting: clear the queue, set end_
  //               to RESOURCE_EXHAUSTED and return false.
  (void)message;
  return true;
}

void Outbox::Flush() {
  // TODO(task 1): under mu_, and only when reactor_ is set, nothing is being
  //               written and Finish was not called yet, pick ONE action:
  //                 end_ set          -> Finish(*end_)
  //                 a message waits   -> move it to in_flight_, StartWrite
  //               Update the flags (writing_, finished_) under the lock, then
  //               release it and only then call reactor->StartWrite/Finish.
  // TODO(task 5): nothing waits and input_done_ -> Finish(OK).
}

void Outbox::EndWith(grpc::Status status) {
  // TODO(task 1): under mu_, keep the first end (end_) and drop what waits;
  //               then Flush().
  (void)status;
}

void Outbox::InputDone() {
  // TODO(task 5): under mu_, set input_done_; then Flush().
}

void Outbox::WriteDone(bool ok) {
  // TODO(task 1): under mu_, clear writing_; when !ok (and no end yet), end
  //               with CANCELLED and drop what waits. Then Flush().
  (void)ok;
}

bool Outbox::Ending() {
  // TODO(task 6): under mu_: finished_ or end_ is set.
  return false;
}

void Outbox::Detach() {
  // TODO(task 5): under mu_, forget the reactor (reactor_ = nullptr).
}

// ---- Hub -------------------------------------------------------------------

void Hub::Post(const std::shared_ptr<Outbox>& from, Message message) {
  // TODO(task 1): under mu_, take the room (rooms_[message.room()]), set the
  //               message's seq to the room's next one and Push it to `from`.
  //               After releasing mu_, Flush() `from`.
  // TODO(task 2): join `from` to the room's members if it is not there yet,
  //               and Push to every member (`from` included), then Flush
  //               each of them once mu_ is released.
  // TODO(task 4): numbering and pushing must happen in ONE critical section;
  //               copy the members out to flush them after unlocking.
  // TODO(task 6): a member whose Push returns false leaves every room
  //               (RemoveLocked) while you still hold mu_.
  (void)from;
  (void)message;
}

void Hub::Leave(const Outbox* member) {
  // TODO(task 5): under mu_, RemoveLocked(member).
  (void)member;
}

void Hub::RemoveLocked(const Outbox* member) {
  // TODO(task 5): erase the member from every room's members (compare
  //               m.get() == member). Keep the rooms: seq never restarts.
  (void)member;
}

}  // namespace chat
