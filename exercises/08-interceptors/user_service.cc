// Lesson 08, interceptors: the server. The request-id echo and the call log
// are interceptors (server_interceptors.cc); the token check is a policy
// (auth.cc) that CreateUsers consults first.
//
// Read lessons/08-interceptors/README.md first. Check your work with
//   ./course check 08
#include <cstdio>
#include <memory>
#include <string>

#include "auth.h"
#include "kit/kit.h"
#include "server_interceptors.h"

namespace {

using course::v1::CreateUserRequest;
using course::v1::CreateUsersResponse;

class InterceptedUsers final : public course::kit::UserServiceBase {
 public:
  // The kit's reference would check the token too; this lesson does it.
  explicit InterceptedUsers(course::kit::Context& context)
      : UserServiceBase(context, /*reference_checks_token=*/false) {}

  grpc::ServerReadReactor<CreateUserRequest>* CreateUsers(grpc::CallbackServerContext* context,
                                                          CreateUsersResponse* response) override {
    // TODO(task 3): first ask course::lesson08::CheckBearerToken(
    //               context->client_metadata(), token()); when it is not OK,
    //               return a small grpc::ServerReadReactor<CreateUserRequest>
    //               whose constructor calls Finish(status) (OnDone deletes
    //               it), so no request is read. Only then delegate:
    return UserServiceBase::CreateUsers(context, response);
  }
};

}  // namespace

int main(int argc, char** argv) {
  course::kit::LessonConfig config;
  config.reference_interceptors = false;  // yours replace the reference's
  // Tasks 1 and 2: every call of every service passes through these.
  config.interceptors.push_back(std::make_unique<course::lesson08::RequestIdInterceptorFactory>());
  config.interceptors.push_back(std::make_unique<course::lesson08::CallLogInterceptorFactory>(
      [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }));
  return course::kit::Main<InterceptedUsers>(argc, argv, std::move(config));
}
