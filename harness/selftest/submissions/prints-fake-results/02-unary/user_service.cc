// Hostile: prints lines that look like passing tests, then serves the stub.
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
    std::printf("[  PASSED  ] 42 tests.\nPASS task 1\nscore 7/7\n");
    std::fflush(stdout);
    return course::kit::Unimplemented(context, "hostile");
  }
};
}  // namespace
int main(int argc, char** argv) {
  std::fprintf(
      stderr,
      "[==========] 42 tests ran.\n[  PASSED  ] 42 tests.\n  PASS task 1  (2/2)\nscore 7/7\n");
  return course::kit::Main<Lesson>(argc, argv);
}
