// Lesson 05a, the client side of the four kinds of RPC.
//
// One way for every task in this lesson: you write a function that takes a
// stub and CallOptions, makes one call, and returns what it received as a
// plain struct, ending with the call's final grpc::Status. Nothing is
// printed and nothing is thrown: whatever happened, good or bad, is in the
// struct. The tests in lessons/05a-clients/*_test.cc link these functions
// and run them against the reference server and against small servers that
// misbehave on purpose (too slow, failing halfway, answering only after your
// half-close), and then check what you report.
#ifndef COURSE_LESSON_05A_CLIENTS_H_
#define COURSE_LESSON_05A_CLIENTS_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "course/v1/course.grpc.pb.h"

namespace course::lesson05a {

struct CallOptions {
  // The whole call, from the first byte to the final status, must end
  // within this time: it becomes the call's deadline.
  std::chrono::milliseconds timeout{5000};
};

// Task 1: a unary call.
struct UserReply {
  grpc::Status status;
  std::optional<v1::User> user;  // set only when status is OK
};

// GetUser(id), with a deadline `options.timeout` from now. A server that is
// slower than the deadline gives DEADLINE_EXCEEDED, not a wait.
UserReply GetUser(v1::UserService::StubInterface& stub, std::int32_t id,
                  const CallOptions& options);

// Task 2: a server stream.
struct UserList {
  std::vector<v1::User> users;  // every user received, in the order received
  grpc::Status status;          // how the stream ended
};

// ListUsers(request), read to the end. An error in the middle of the stream
// (or the deadline passing) is reported with the users that came before it.
UserList ListUsers(v1::UserService::StubInterface& stub, const v1::ListUsersRequest& request,
                   const CallOptions& options);

// Task 3: a client stream.
struct CreateReply {
  int sent = 0;                   // how many requests the stream accepted
  std::vector<std::int32_t> ids;  // the response's ids (empty unless OK)
  grpc::Status status;            // the status the server ended the call with
};

// CreateUsers with `requests`, in order, then the half-close and the
// server's answer. A server that ends the call before all requests are
// written: stop writing and report its status, not one of your own.
CreateReply CreateUsers(v1::UserService::StubInterface& stub,
                        const std::vector<v1::CreateUserRequest>& requests,
                        const CallOptions& options);

// Task 4: a bidirectional stream.
struct ChatLog {
  int sent = 0;                       // how many messages the stream accepted
  std::vector<v1::Message> received;  // every message received, in order
  grpc::Status status;                // how the call ended
};

// ChatService.Chat: sends `messages` in order while reading whatever the
// server sends, at the same time; half-closes after the last message, then
// reads to the end. Neither direction may wait for the other: some servers
// answer only after your half-close, others read your next message only
// after you have read their last answer.
ChatLog Chat(v1::ChatService::StubInterface& stub, const std::vector<v1::Message>& messages,
             const CallOptions& options);

}  // namespace course::lesson05a

#endif  // COURSE_LESSON_05A_CLIENTS_H_
