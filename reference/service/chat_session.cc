#include "service/chat_session.h"

#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "service/status_convert.h"

namespace course::service {

using v1::Message;

// The hub's view of a stream. It outlives the reactor if the hub still holds
// it, so it checks under its lock whether the reactor is still there.
//
// Lock discipline: mu_ is never held while calling into gRPC, because gRPC
// may run a reaction (OnWriteDone, OnDone) on the calling thread.
class ChatSession::Outbox final : public domain::ChatMember {
 public:
  Outbox(ChatSession* reactor, std::size_t max_pending)
      : reactor_(reactor), max_pending_(max_pending) {}

  bool Enqueue(const domain::ChatMessage& message) override;
  void Wake() override;

  // The stream will end with this status once no write is in flight.
  void EndWith(grpc::Status status);
  // The client half-closed: end OK once everything queued is written (H5).
  void InputClosed();
  // A write finished; ok=false means the call is broken.
  void WriteDone(bool ok);
  // The reactor is gone; nothing more may touch it.
  void Detach();

 private:
  // Starts the next write or the Finish, whichever is due; at most one
  // action, performed outside the lock.
  void Pump();

  std::mutex mu_;
  ChatSession* reactor_;
  const std::size_t max_pending_;
  std::deque<domain::ChatMessage> pending_;
  Message in_flight_;
  bool writing_ = false;
  bool input_closed_ = false;
  bool finished_ = false;
  std::optional<grpc::Status> end_status_;
};

ChatSession::ChatSession(domain::ChatHub& hub, std::size_t max_pending)
    : hub_(hub), outbox_(std::make_shared<Outbox>(this, max_pending)) {
  StartRead(&incoming_);
}

void ChatSession::OnReadDone(bool ok) {
  if (!ok) {
    // Half-close or cancellation: no more messages come from this client.
    hub_.Leave(*outbox_);
    outbox_->InputClosed();
    return;
  }
  domain::ChatMessage message{incoming_.room(), incoming_.sender(), incoming_.text(), 0};
  absl::StatusOr<std::int64_t> seq = hub_.Post(outbox_, std::move(message));
  if (!seq.ok()) {
    hub_.Leave(*outbox_);
    outbox_->EndWith(ToGrpcStatus(seq.status()));
    return;
  }
  StartRead(&incoming_);
}

void ChatSession::OnWriteDone(bool ok) { outbox_->WriteDone(ok); }

void ChatSession::OnCancel() {
  hub_.Leave(*outbox_);
  outbox_->EndWith(grpc::Status::CANCELLED);
}

void ChatSession::OnDone() {
  hub_.Leave(*outbox_);
  outbox_->Detach();
  delete this;
}

bool ChatSession::Outbox::Enqueue(const domain::ChatMessage& message) {
  std::lock_guard lock(mu_);
  if (finished_ || end_status_) return true;  // already on its way out
  pending_.push_back(message);
  if (pending_.size() > max_pending_) {
    pending_.clear();
    end_status_ = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                               absl::StrCat("more than ", max_pending_,
                                            " chat messages were waiting for this stream; read "
                                            "faster to stay in the room"));
    return false;
  }
  return true;
}

void ChatSession::Outbox::Wake() { Pump(); }

void ChatSession::Outbox::EndWith(grpc::Status status) {
  {
    std::lock_guard lock(mu_);
    if (end_status_) return;
    end_status_ = std::move(status);
    pending_.clear();
  }
  Pump();
}

void ChatSession::Outbox::InputClosed() {
  {
    std::lock_guard lock(mu_);
    input_closed_ = true;
  }
  Pump();
}

void ChatSession::Outbox::WriteDone(bool ok) {
  {
    std::lock_guard lock(mu_);
    writing_ = false;
    if (!ok && !end_status_) {
      end_status_ = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
      pending_.clear();
    }
  }
  Pump();
}

void ChatSession::Outbox::Detach() {
  std::lock_guard lock(mu_);
  reactor_ = nullptr;
  finished_ = true;
}

void ChatSession::Outbox::Pump() {
  ChatSession* reactor = nullptr;
  std::optional<grpc::Status> finish;
  {
    std::lock_guard lock(mu_);
    if (finished_ || writing_ || reactor_ == nullptr) return;
    if (end_status_) {
      finish = *end_status_;
    } else if (!pending_.empty()) {
      const domain::ChatMessage& next = pending_.front();
      in_flight_.set_room(next.room);
      in_flight_.set_sender(next.sender);
      in_flight_.set_text(next.text);
      in_flight_.set_seq(next.seq);
      pending_.pop_front();
      writing_ = true;
    } else if (input_closed_) {
      finish = grpc::Status::OK;
    } else {
      return;
    }
    if (finish) finished_ = true;
    reactor = reactor_;
  }
  // The reactor cannot be deleted here: OnDone needs Finish, and Finish is
  // only ever called from this point, once, with no write in flight.
  if (finish) {
    reactor->Finish(*finish);
  } else {
    reactor->StartWrite(&in_flight_);
  }
}

grpc::ServerBidiReactor<Message, Message>* StartChat(domain::ChatHub& hub) {
  return new ChatSession(hub);
}

}  // namespace course::service
