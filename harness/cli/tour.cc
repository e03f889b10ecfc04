// `course tour`: the built-in default job. Starts the reference server with
// seed data and shows, call by call, that every RPC of the contract answers.
#include <iostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "cli/call.h"
#include "core/target.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace {

struct Step {
  const char* rule;
  const char* what;
  const char* method;
  const char* json;
  bool authorized;
};

}  // namespace

int RunTour(std::string token) {
  if (token.empty()) token = "course-token";
  auto target = course::harness::MakeLoopbackReference(token, 5);
  if (!target.ok()) {
    std::cerr << "course: cannot start the reference server: " << target.status().message() << "\n";
    return 2;
  }
  std::cout << "Started " << (*target)->Describe() << " with 5 seed users and token `" << token
            << "`.\nEach step is one real call; `./course call` repeats any of them.\n";

  const Step steps[] = {
      {"G3", "fetch a seed user", "GetUser", R"({"id": 1})", false},
      {"G1", "an id <= 0 is refused, with a BadRequest detail", "GetUser", R"({"id": 0})", false},
      {"G2", "an unknown id is NOT_FOUND", "GetUser", R"({"id": 999999})", false},
      {"L2", "list two users after id 2", "ListUsers", R"({"page_size": 2, "after_id": 2})", false},
      {"L3", "a slow producer: 200 ms between users", "ListUsers",
       R"({"page_size": 3, "interval_ms": 200})", false},
      {"C5", "create two users in one stream", "CreateUsers",
       R"([{"name": "Ada", "email": "ada@tour.example"}, {"name": "Linus", "email": "linus@tour.example"}])",
       true},
      {"C3", "the same email again, other case: nothing stored", "CreateUsers",
       R"([{"name": "Grace", "email": "grace@tour.example"}, {"name": "Ada", "email": "ADA@tour.example"}])",
       true},
      {"M2", "CreateUsers without the token", "CreateUsers",
       R"([{"name": "Eve", "email": "eve@tour.example"}])", false},
      {"H3", "chat: two messages, each echoed with its seq", "ChatService/Chat",
       R"([{"room": "lobby", "sender": "ada", "text": "hello"}, {"room": "lobby", "sender": "ada", "text": "anyone?"}])",
       false},
      {"H1", "chat: an empty text ends the stream", "UserService/Chat",
       R"([{"room": "lobby", "sender": "ada", "text": ""}])", false},
  };
  int answered = 0;
  int step_number = 0;
  for (const Step& step : steps) {
    std::cout << "\n[" << ++step_number << "] " << step.rule << ": " << step.what << "\n    "
              << step.method << " " << step.json << "\n";
    course::cli::CallRequest request;
    request.method = step.method;
    request.json = step.json;
    request.request_id = absl::StrCat("tour-", step_number);
    if (step.authorized) request.token = token;
    std::ostringstream out, err;
    const int code = course::cli::MakeCall((*target)->Channel(), request, out, err);
    std::istringstream lines(out.str() + err.str());
    for (std::string line; std::getline(lines, line);) std::cout << "    -> " << line << "\n";
    if (code != 2) ++answered;
  }

  auto health = grpc::health::v1::Health::NewStub((*target)->Channel());
  grpc::health::v1::HealthCheckRequest request;
  request.set_service("course.v1.UserService");
  grpc::health::v1::HealthCheckResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  grpc::Status status = health->Check(&context, request, &response);
  std::cout << "\n[" << ++step_number << "] S1: health of course.v1.UserService\n    -> "
            << (status.ok()
                    ? grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status())
                    : status.error_message())
            << "\n";
  if (status.ok()) ++answered;

  const int total = step_number;
  std::cout << "\n"
            << answered << " of " << total << " calls answered by the reference server.\n"
            << "Next: `./course conform` checks every rule; `./course conform --target HOST:PORT` "
               "checks your own server.\n";
  return answered == total ? 0 : 1;
}
