// Hostile: announces a port it does not serve on.
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include "kit/kit.h"
namespace {
class Lesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    course::v1::User* response) override {
    (void)request;
    (void)response;
    return course::kit::Unimplemented(context, "hostile");
  }
};
}  // namespace
int main(int argc, char** argv) {
  std::printf("listening on 127.0.0.1:1\n");
  std::fflush(stdout);
  return course::kit::Main<Lesson>(argc, argv);
}
