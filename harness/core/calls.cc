#include "core/calls.h"

#include <google/protobuf/util/json_util.h>

#include "absl/strings/str_cat.h"
#include "core/describe.h"

namespace course::harness {

v1::CreateUserRequest FreshUser(CheckContext& ctx, const std::string& name) {
  v1::CreateUserRequest request;
  request.set_name(name.empty() ? "Conformance User" : name);
  request.set_email(ctx.UniqueEmail());
  return request;
}

CreateResult CreateUsers(CheckContext& ctx, const std::vector<v1::CreateUserRequest>& requests,
                         bool authorized) {
  CreateResult result;
  auto call = ctx.NewCall(std::chrono::milliseconds(0), authorized);
  v1::CreateUsersResponse response;
  auto writer = ctx.users().CreateUsers(call.get(), &response);
  std::size_t written = 0;
  for (const auto& request : requests) {
    if (!writer->Write(request)) break;  // the server ended the call early
    ++written;
  }
  writer->WritesDone();
  result.status = writer->Finish();
  result.ids.assign(response.ids().begin(), response.ids().end());
  if (requests.size() <= 3) {
    for (const auto& request : requests)
      ctx.Sent(absl::StrCat("CreateUsers <- ", Describe(request)));
  } else {
    ctx.Sent(absl::StrCat("CreateUsers <- ", requests.size(), " requests, first ",
                          Describe(requests.front()), ", last ", Describe(requests.back())));
  }
  ctx.Sent("CreateUsers <- half-close");
  ctx.Received(
      absl::StrCat("CreateUsers -> ", DescribeStatus(result.status),
                   result.status.ok() ? absl::StrCat(", ", result.ids.size(), " ids") : ""));
  return result;
}

std::vector<v1::User> MakeUsers(CheckContext& ctx, int count) {
  std::vector<v1::CreateUserRequest> requests;
  for (int i = 0; i < count; ++i) {
    requests.push_back(FreshUser(ctx, absl::StrCat("Maker ", i)));
  }
  CreateResult result = CreateUsers(ctx, requests);
  ctx.ExpectCode(result.status, grpc::StatusCode::OK, "creating users for this check failed",
                 "this check needs CreateUsers to work first (rules C1-C6)");
  ctx.Expect(result.ids.size() == requests.size(),
             absl::StrCat("CreateUsers returned ", result.ids.size(), " ids for ", requests.size(),
                          " requests"),
             "one id per request (C5)");
  std::vector<v1::User> users;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    v1::User user;
    user.set_id(result.ids[i]);
    user.set_name(requests[i].name());
    user.set_email(requests[i].email());
    users.push_back(user);
  }
  return users;
}

ListResult ListUsers(CheckContext& ctx, const v1::ListUsersRequest& request,
                     std::chrono::milliseconds deadline) {
  ListResult result;
  ctx.Sent(absl::StrCat("ListUsers <- ", Describe(request)));
  ctx.Reproduce(CallCommand(ctx, "ListUsers", request));
  auto call = ctx.NewCall(deadline);
  const auto start = std::chrono::steady_clock::now();
  auto reader = ctx.users().ListUsers(call.get(), request);
  v1::User user;
  while (reader->Read(&user)) {
    if (result.users.empty()) {
      result.first_after = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - start);
    }
    result.users.push_back(user);
  }
  result.status = reader->Finish();
  result.total = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  if (result.users.empty()) result.first_after = result.total;
  ctx.Received(absl::StrCat("ListUsers -> ", result.users.size(), " users then ",
                            DescribeStatus(result.status)));
  return result;
}

grpc::Status GetUser(CheckContext& ctx, std::int32_t id, v1::User* user) {
  v1::GetUserRequest request;
  request.set_id(id);
  ctx.Sent(absl::StrCat("GetUser <- ", Describe(request)));
  ctx.Reproduce(CallCommand(ctx, "GetUser", request));
  auto call = ctx.NewCall();
  grpc::Status status = ctx.users().GetUser(call.get(), request, user);
  ctx.Received(status.ok() ? absl::StrCat("GetUser -> OK ", Describe(*user))
                           : absl::StrCat("GetUser -> ", DescribeStatus(status)));
  return status;
}

std::string CallCommand(CheckContext& ctx, const std::string& method,
                        const google::protobuf::Message& request) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(request, &json, options);
  const std::string address = ctx.target().Address();
  return absl::StrCat("./course call ",
                      address.empty() ? "" : absl::StrCat("--target ", address, " "), method, " '",
                      json, "'");
}

}  // namespace course::harness
