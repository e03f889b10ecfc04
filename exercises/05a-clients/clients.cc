// Lesson 05a, the client side of the four kinds of RPC.
//
// Read lessons/05a-clients/README.md first; clients.h says what each
// function must do. Every function here makes one call and returns what it
// received, with the call's final status, as a plain struct: the tests in
// lessons/05a-clients/*_test.cc run your functions against the reference
// server and against servers that misbehave on purpose, and check the
// struct.
//   ./course check 05a
#include "clients.h"

namespace course::lesson05a {

UserReply GetUser(v1::UserService::StubInterface& stub, std::int32_t id,
                  const CallOptions& options) {
  // TODO(task 1): make the GetUser call so that it can never outlast
  //               options.timeout, and report its status, with the user only
  //               when the call succeeded.
  (void)stub;
  (void)id;
  (void)options;
  return {grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 1): GetUser"), std::nullopt};
}

UserList ListUsers(v1::UserService::StubInterface& stub, const v1::ListUsersRequest& request,
                   const CallOptions& options) {
  // TODO(task 2): read the whole stream, within options.timeout, keeping
  //               every user in the order it came; then collect how the
  //               stream ended. Users that came before an error are kept.
  (void)stub;
  (void)request;
  (void)options;
  return {{}, grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 2): ListUsers")};
}

CreateReply CreateUsers(v1::UserService::StubInterface& stub,
                        const std::vector<v1::CreateUserRequest>& requests,
                        const CallOptions& options) {
  // TODO(task 3): within options.timeout, send the requests in order,
  //               counting those the stream accepts and stopping once it
  //               accepts no more; tell the server you are done; report the
  //               status it ended the call with, and its ids when that is OK.
  (void)stub;
  (void)requests;
  (void)options;
  return {0, {}, grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 3): CreateUsers")};
}

ChatLog Chat(v1::ChatService::StubInterface& stub, const std::vector<v1::Message>& messages,
             const CallOptions& options) {
  // TODO(task 4): within options.timeout, send the messages in order while,
  //               at the same time, receiving everything the server sends;
  //               after the last message say you are done sending, keep
  //               receiving until the server ends the call, and report its
  //               status. Neither direction may wait for the other.
  (void)stub;
  (void)messages;
  (void)options;
  return {0, {}, grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 4): Chat")};
}

}  // namespace course::lesson05a
