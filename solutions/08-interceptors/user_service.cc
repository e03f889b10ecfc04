// Lesson 08, interceptors: the server, solved. The request-id echo and the
// call log are interceptors (server_interceptors.cc); the token check is a
// policy (auth.cc) that CreateUsers consults first.
#include <cstdio>
#include <memory>
#include <string>

#include "auth.h"
#include "kit/kit.h"
#include "server_interceptors.h"

namespace {

using course::v1::CreateUserRequest;
using course::v1::CreateUsersResponse;

// Ends a CreateUsers call at once, before reading any request: nothing of
// it can be stored (M2).
class Refused final : public grpc::ServerReadReactor<CreateUserRequest> {
 public:
  explicit Refused(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

class InterceptedUsers final : public course::kit::UserServiceBase {
 public:
  // The kit's reference would check the token too; this lesson does it.
  explicit InterceptedUsers(course::kit::Context& context)
      : UserServiceBase(context, /*reference_checks_token=*/false) {}

  grpc::ServerReadReactor<CreateUserRequest>* CreateUsers(grpc::CallbackServerContext* context,
                                                          CreateUsersResponse* response) override {
    // Task 3: auth first (C8), then the kit's all-or-nothing CreateUsers.
    if (grpc::Status allowed =
            course::lesson08::CheckBearerToken(context->client_metadata(), token());
        !allowed.ok()) {
      return new Refused(allowed);
    }
    return UserServiceBase::CreateUsers(context, response);
  }
};

}  // namespace

int main(int argc, char** argv) {
  course::kit::LessonConfig config;
  config.reference_interceptors = false;  // ours replace the reference's
  // Tasks 1 and 2: every call of every service passes through these.
  config.interceptors.push_back(std::make_unique<course::lesson08::RequestIdInterceptorFactory>());
  config.interceptors.push_back(std::make_unique<course::lesson08::CallLogInterceptorFactory>(
      [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); }));
  return course::kit::Main<InterceptedUsers>(argc, argv, std::move(config));
}
