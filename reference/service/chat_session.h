// One Chat stream on the server: reads messages into the hub and writes what
// the hub queues for it back to the client.
#ifndef COURSE_REFERENCE_SERVICE_CHAT_SESSION_H_
#define COURSE_REFERENCE_SERVICE_CHAT_SESSION_H_

#include <grpcpp/grpcpp.h>

#include "course/v1/course.pb.h"
#include "domain/chat_hub.h"

namespace course::service {

// Starts the reactor for one Chat call; it deletes itself when the call is
// done. Shared by UserService.Chat and ChatService.Chat (one set of rooms).
grpc::ServerBidiReactor<v1::Message, v1::Message>* StartChat(domain::ChatHub& hub);

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_CHAT_SESSION_H_
