// Hostile: tries to forge the grader's report, then serves the stub.
#include <unistd.h>
#include <cstdio>
#include <cstdlib>
#include <fstream>
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
  for (const char* path :
       {"/tmp/course-hostile-report.json", "/tmp/course-hostile-report.json.partial"}) {
    std::ofstream forged(path);
    forged << "{\"score\": 999, \"complete\": true}\n";
  }
  return course::kit::Main<Lesson>(argc, argv);
}
