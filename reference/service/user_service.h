// course.v1.UserService and course.v1.ChatService on gRPC's callback API.
#ifndef COURSE_REFERENCE_SERVICE_USER_SERVICE_H_
#define COURSE_REFERENCE_SERVICE_USER_SERVICE_H_

#include <grpcpp/grpcpp.h>

#include <string>

#include "absl/status/status.h"
#include "course/v1/course.grpc.pb.h"
#include "domain/chat_hub.h"
#include "domain/user_store.h"

namespace course::service {

// M2: who may create users. An empty token lets everyone in.
class TokenPolicy {
 public:
  explicit TokenPolicy(std::string token) : token_(std::move(token)) {}
  // OK, UNAUTHENTICATED (no `authorization`) or PERMISSION_DENIED (any value
  // other than "Bearer <token>").
  grpc::Status Check(const grpc::CallbackServerContext& context) const;

 private:
  std::string token_;
};

// L1: OK, or INVALID_ARGUMENT naming page_size or interval_ms.
absl::Status CheckListRequest(const v1::ListUsersRequest& request);

class UserServiceImpl final : public v1::UserService::CallbackService {
 public:
  // batch_writes: see ServerOptions::batch_writes.
  UserServiceImpl(domain::UserStore& store, domain::ChatHub& hub, TokenPolicy create_policy,
                  bool batch_writes = false)
      : store_(store),
        hub_(hub),
        create_policy_(std::move(create_policy)),
        batch_writes_(batch_writes) {}

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const v1::GetUserRequest* request, v1::User* response) override;
  grpc::ServerWriteReactor<v1::User>* ListUsers(grpc::CallbackServerContext* context,
                                                const v1::ListUsersRequest* request) override;
  grpc::ServerReadReactor<v1::CreateUserRequest>* CreateUsers(
      grpc::CallbackServerContext* context, v1::CreateUsersResponse* response) override;
  grpc::ServerBidiReactor<v1::Message, v1::Message>* Chat(
      grpc::CallbackServerContext* context) override;

 private:
  domain::UserStore& store_;
  domain::ChatHub& hub_;
  TokenPolicy create_policy_;
  bool batch_writes_;
};

class ChatServiceImpl final : public v1::ChatService::CallbackService {
 public:
  explicit ChatServiceImpl(domain::ChatHub& hub) : hub_(hub) {}

  grpc::ServerBidiReactor<v1::Message, v1::Message>* Chat(
      grpc::CallbackServerContext* context) override;

 private:
  domain::ChatHub& hub_;
};

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_USER_SERVICE_H_
