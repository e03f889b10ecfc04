// `course call`: one RPC of the contract made by hand, JSON in and out.
#ifndef COURSE_HARNESS_CLI_CALL_H_
#define COURSE_HARNESS_CLI_CALL_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <iosfwd>
#include <memory>
#include <string>

namespace course::cli {

struct CallRequest {
  std::string method;  // "GetUser", "UserService/GetUser", "course.v1.ChatService/Chat"
  std::string json;    // one message; a JSON array for client and bidi streams
  std::string token;
  std::string request_id;
  std::chrono::milliseconds deadline{5000};
};

// Makes the call and prints each response as JSON, then the status.
// Returns 0 on OK, 1 on an error status, 2 when the call could not be made.
int MakeCall(const std::shared_ptr<grpc::Channel>& channel, const CallRequest& request,
             std::ostream& out, std::ostream& err);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_CALL_H_
