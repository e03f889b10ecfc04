// One Chat stream on the server: reads messages into the hub and writes what
// the hub queues for it back to the client.
#ifndef COURSE_REFERENCE_SERVICE_CHAT_SESSION_H_
#define COURSE_REFERENCE_SERVICE_CHAT_SESSION_H_

#include <grpcpp/grpcpp.h>

#include <cstddef>
#include <memory>

#include "course/v1/course.pb.h"
#include "domain/chat_hub.h"

namespace course::service {

// The reactor of one Chat call; it deletes itself when the call is done.
// Not final: the mutant servers of harness/selftest/mutants override one of
// its reactions to break one rule.
class ChatSession : public grpc::ServerBidiReactor<v1::Message, v1::Message> {
 public:
  // max_pending: H6, the most messages that may wait for this stream before
  // it is ended with RESOURCE_EXHAUSTED.
  explicit ChatSession(domain::ChatHub& hub, std::size_t max_pending = domain::kMaxPendingMessages);

  void OnReadDone(bool ok) override;
  void OnWriteDone(bool ok) override;
  void OnCancel() override;
  void OnDone() override;

 private:
  class Outbox;

  domain::ChatHub& hub_;
  std::shared_ptr<Outbox> outbox_;
  v1::Message incoming_;
};

// Starts the reactor for one Chat call. Shared by UserService.Chat and
// ChatService.Chat (one set of rooms).
grpc::ServerBidiReactor<v1::Message, v1::Message>* StartChat(domain::ChatHub& hub);

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_CHAT_SESSION_H_
