// The calls checks make again and again, with their transcript recorded.
#ifndef COURSE_HARNESS_CORE_CALLS_H_
#define COURSE_HARNESS_CORE_CALLS_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/check.h"

namespace course::harness {

struct CreateResult {
  grpc::Status status;
  std::vector<std::int32_t> ids;
};

// A valid request with an email unique to this run.
v1::CreateUserRequest FreshUser(CheckContext& ctx, const std::string& name = "");

// One CreateUsers call with these requests, half-closed at the end.
CreateResult CreateUsers(CheckContext& ctx, const std::vector<v1::CreateUserRequest>& requests,
                         bool authorized = true);

// Creates `count` users of this run, failing the check if the server does
// not accept them. Returns them with their ids.
std::vector<v1::User> MakeUsers(CheckContext& ctx, int count);

struct ListResult {
  grpc::Status status;
  std::vector<v1::User> users;
  // From the start of the call to the first user (or to the end).
  std::chrono::milliseconds first_after{0};
  std::chrono::milliseconds total{0};
};

ListResult ListUsers(CheckContext& ctx, const v1::ListUsersRequest& request,
                     std::chrono::milliseconds deadline = std::chrono::milliseconds(0));

// GetUser, recording the call.
grpc::Status GetUser(CheckContext& ctx, std::int32_t id, v1::User* user);

// `./course call ...` for the record of a failure.
std::string CallCommand(CheckContext& ctx, const std::string& method,
                        const google::protobuf::Message& request);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_CALLS_H_
