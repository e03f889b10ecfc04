// Hostile: exits 0 at once, as if all were well.
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
int main() { return 0; }
