// Lesson 05a, the client side of the four kinds of RPC: a model answer.
//
// Read lessons/05a-clients/README.md first; clients.h says what each
// function must do. The tests that grade this file are in
// lessons/05a-clients/*_test.cc:
//   ./course check 05a
#include "clients.h"

#include <thread>

namespace course::lesson05a {

namespace {

// Every call gets its own context (a context is never reused), with a
// deadline: without one a call to a stuck server waits for ever.
void SetDeadline(grpc::ClientContext& context, const CallOptions& options) {
  context.set_deadline(std::chrono::system_clock::now() + options.timeout);
}

}  // namespace

UserReply GetUser(v1::UserService::StubInterface& stub, std::int32_t id,
                  const CallOptions& options) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  v1::GetUserRequest request;
  request.set_id(id);
  v1::User user;
  UserReply reply;
  reply.status = stub.GetUser(&context, request, &user);
  // On an error the response message means nothing: report none.
  if (reply.status.ok()) reply.user = std::move(user);
  return reply;
}

UserList ListUsers(v1::UserService::StubInterface& stub, const v1::ListUsersRequest& request,
                   const CallOptions& options) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  UserList list;
  std::unique_ptr<grpc::ClientReaderInterface<v1::User>> reader = stub.ListUsers(&context, request);
  // Read says false at the end of the stream, whether it ended well or not;
  // only Finish says which. What came before an error is still kept.
  v1::User user;
  while (reader->Read(&user)) list.users.push_back(user);
  list.status = reader->Finish();
  return list;
}

CreateReply CreateUsers(v1::UserService::StubInterface& stub,
                        const std::vector<v1::CreateUserRequest>& requests,
                        const CallOptions& options) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  CreateReply reply;
  v1::CreateUsersResponse response;
  std::unique_ptr<grpc::ClientWriterInterface<v1::CreateUserRequest>> writer =
      stub.CreateUsers(&context, &response);
  for (const auto& request : requests) {
    // false: the call is over (the server finished it, or the deadline
    // passed). Further writes would fail too; Finish says why.
    if (!writer->Write(request)) break;
    ++reply.sent;
  }
  // The half-close: the server's reads end, and only then does it answer.
  // Harmless when the call is already over.
  writer->WritesDone();
  reply.status = writer->Finish();
  if (reply.status.ok()) reply.ids.assign(response.ids().begin(), response.ids().end());
  return reply;
}

ChatLog Chat(v1::ChatService::StubInterface& stub, const std::vector<v1::Message>& messages,
             const CallOptions& options) {
  grpc::ClientContext context;
  SetDeadline(context, options);
  ChatLog log;
  std::unique_ptr<grpc::ClientReaderWriterInterface<v1::Message, v1::Message>> stream =
      stub.Chat(&context);
  // The two directions run side by side: this thread reads while the
  // calling thread writes. One reader and one writer at a time is what the
  // synchronous stream allows, and exactly what this is.
  std::thread reader([&stream, &log] {
    v1::Message message;
    while (stream->Read(&message)) log.received.push_back(message);
  });
  for (const auto& message : messages) {
    if (!stream->Write(message)) break;
    ++log.sent;
  }
  stream->WritesDone();
  // Finish only after the last Read has returned false.
  reader.join();
  log.status = stream->Finish();
  return log;
}

}  // namespace course::lesson05a
