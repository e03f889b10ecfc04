// Hostile: floods stdout and stderr without end.
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
int main() {
  for (;;) {
    std::fputs("flood flood flood flood flood flood flood flood flood flood\n", stdout);
    std::fputs("FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD FLOOD\n", stderr);
  }
}
