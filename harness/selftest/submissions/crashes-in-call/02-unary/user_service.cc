// Hostile: serves, then dies inside the first GetUser.
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
    std::abort();
    return course::kit::Unimplemented(context, "hostile");
  }
};
}  // namespace
int main(int argc, char** argv) { return course::kit::Main<Lesson>(argc, argv); }
