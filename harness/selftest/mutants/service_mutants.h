// The mutants of the service layer: UserService and ChatService as the
// reference serves them, with one method bent where the fault lives there.
#ifndef COURSE_HARNESS_SELFTEST_MUTANTS_SERVICE_MUTANTS_H_
#define COURSE_HARNESS_SELFTEST_MUTANTS_SERVICE_MUTANTS_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "course/v1/course.grpc.pb.h"
#include "domain/chat_hub.h"
#include "domain/user_store.h"
#include "mutants/pool_mutants.h"
#include "service/user_service.h"

namespace course::mutants {

// C1-C4, C6-C8, L1-L3, M2 and the chat stream's H5, H6 (L3-pool moves GetUser
// onto its workers too); every other call goes to the reference's
// UserServiceImpl unchanged.
class MutantUserService final : public v1::UserService::CallbackService {
 public:
  MutantUserService(domain::UserStore& store, domain::ChatHub& hub, const std::string& token,
                    std::string fault);

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
  const std::string fault_;
  service::TokenPolicy policy_;
  service::UserServiceImpl reference_;
  // M2: the same service with no token at all, for callers who sent one.
  service::UserServiceImpl without_token_;
  // L3-pool: the workers that run GetUser and ListUsers; null otherwise.
  std::unique_ptr<WorkerPool> pool_;
};

// H5, H6.
class MutantChatService final : public v1::ChatService::CallbackService {
 public:
  MutantChatService(domain::ChatHub& hub, std::string fault)
      : hub_(hub), fault_(std::move(fault)) {}

  grpc::ServerBidiReactor<v1::Message, v1::Message>* Chat(
      grpc::CallbackServerContext* context) override;

 private:
  domain::ChatHub& hub_;
  const std::string fault_;
};

}  // namespace course::mutants

#endif  // COURSE_HARNESS_SELFTEST_MUTANTS_SERVICE_MUTANTS_H_
