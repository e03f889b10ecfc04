// Server-level rules: health (S1) and unknown methods and the message size
// limit (S3) here; reflection (S2) in server_reflection.cc and the process
// contract (S4) in server_process.cc.
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "core/describe.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "suites/server_parts.h"

namespace course::harness {

std::string server_suite::AddressOrPlaceholder(CheckContext& ctx) {
  const std::string address = ctx.target().Address();
  return address.empty() ? "HOST:PORT" : address;
}

namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using server_suite::AddressOrPlaceholder;
using server_suite::kChatService;
using server_suite::kUserService;

constexpr char kHealthHint[] =
    "register the health service (in C++: grpc::EnableDefaultHealthCheckService"
    "(true) before building the server) and mark course.v1.UserService and "
    "course.v1.ChatService SERVING";

std::string HexTag(CheckContext& ctx) {
  return absl::StrCat(absl::Hex(ctx.rng()(), absl::kZeroPad16));
}

// --- S1 ---------------------------------------------------------------------

struct HealthAnswer {
  grpc::Status status;
  HealthCheckResponse response;
};

HealthAnswer CheckHealth(CheckContext& ctx, const std::string& service) {
  HealthCheckRequest request;
  request.set_service(service);
  ctx.Reproduce(absl::StrCat("grpcurl -plaintext -d '{\"service\": \"", service, "\"}' ",
                             AddressOrPlaceholder(ctx), " grpc.health.v1.Health/Check"));
  ctx.Sent(absl::StrCat("grpc.health.v1.Health/Check <- ", Describe(request)));
  auto stub = grpc::health::v1::Health::NewStub(ctx.target().Channel());
  auto call = ctx.NewCall();
  HealthAnswer answer;
  answer.status = stub->Check(call.get(), request, &answer.response);
  ctx.Received(absl::StrCat("grpc.health.v1.Health/Check -> ",
                            answer.status.ok() ? absl::StrCat("OK ", Describe(answer.response))
                                               : DescribeStatus(answer.status)));
  return answer;
}

void ExpectServing(CheckContext& ctx, const std::string& service) {
  const HealthAnswer answer = CheckHealth(ctx, service);
  const std::string what = service.empty() ? "the server as a whole (\"\")" : service;
  ctx.ExpectCode(answer.status, grpc::StatusCode::OK, absl::StrCat("Health/Check for ", what),
                 kHealthHint);
  ctx.Expect(answer.response.status() == HealthCheckResponse::SERVING,
             absl::StrCat("Health/Check for ", what, " answered ",
                          HealthCheckResponse::ServingStatus_Name(answer.response.status())),
             "SERVING (S1)",
             service.empty() ? "the empty name stands for the whole server; gRPC C++'s "
                               "default health service answers SERVING for it by itself"
                             : absl::StrCat("after the server starts, call "
                                            "GetHealthCheckService()->SetServingStatus(\"",
                                            service, "\", true)"));
}

// --- S3 ---------------------------------------------------------------------

grpc::Status CallUnaryPath(CheckContext& ctx, const std::string& path) {
  v1::GetUserRequest request;
  request.set_id(1);
  ctx.Sent(absl::StrCat(path, " <- ", Describe(request)));
  auto call = ctx.NewCall();
  v1::User response;
  const grpc::Status status = grpc::internal::BlockingUnaryCall<v1::GetUserRequest, v1::User>(
      ctx.target().Channel().get(),
      grpc::internal::RpcMethod(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC), call.get(),
      request, &response);
  ctx.Received(absl::StrCat(path, " -> ", DescribeStatus(status)));
  return status;
}

void AddHealthChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"server.health-serving-for-empty-name", "S1",
                    "Health/Check answers SERVING for the empty service name",
                    [](CheckContext& ctx) { ExpectServing(ctx, ""); }});

  checks.push_back({"server.health-serving-for-user-service", "S1",
                    "Health/Check answers SERVING for course.v1.UserService",
                    [](CheckContext& ctx) { ExpectServing(ctx, kUserService); }});

  checks.push_back({"server.health-serving-for-chat-service", "S1",
                    "Health/Check answers SERVING for course.v1.ChatService",
                    [](CheckContext& ctx) { ExpectServing(ctx, kChatService); }});

  checks.push_back({"server.health-not-found-for-unknown-service", "S1",
                    "Health/Check answers NOT_FOUND for a service the server does not have",
                    [](CheckContext& ctx) {
                      const std::string unknown =
                          absl::StrCat("course.v1.NoSuchService", HexTag(ctx));
                      const HealthAnswer answer = CheckHealth(ctx, unknown);
                      ctx.ExpectCode(answer.status, grpc::StatusCode::NOT_FOUND,
                                     absl::StrCat("Health/Check for the unknown service ", unknown),
                                     answer.status.error_code() == grpc::StatusCode::UNIMPLEMENTED
                                         ? kHealthHint
                                         : "answer NOT_FOUND (a status, not a SERVICE_UNKNOWN "
                                           "response) for names that were never given a serving "
                                           "status; gRPC C++'s default health service does");
                    }});
}

void AddUnknownCallChecks(std::vector<CheckDef>& checks) {
  checks.push_back(
      {"server.unknown-method-is-unimplemented", "S3",
       "A call to a method that UserService does not have is UNIMPLEMENTED", [](CheckContext& ctx) {
         const std::string path =
             absl::StrCat("/course.v1.UserService/NoSuchMethod", HexTag(ctx).substr(0, 6));
         const grpc::Status status = CallUnaryPath(ctx, path);
         ctx.ExpectCode(status, grpc::StatusCode::UNIMPLEMENTED, absl::StrCat("a call to ", path),
                        "do not register a catch-all (generic) service; when "
                        "you do, answer UNIMPLEMENTED for methods it does not "
                        "know");
       }});

  checks.push_back(
      {"server.unknown-service-is-unimplemented", "S3",
       "A call to a service the server does not have is UNIMPLEMENTED", [](CheckContext& ctx) {
         const std::string path =
             absl::StrCat("/course.v1.NoSuchService", HexTag(ctx).substr(0, 6), "/GetUser");
         const grpc::Status status = CallUnaryPath(ctx, path);
         ctx.ExpectCode(status, grpc::StatusCode::UNIMPLEMENTED, absl::StrCat("a call to ", path),
                        "do not register a catch-all (generic) service; when "
                        "you do, answer UNIMPLEMENTED for services it does not "
                        "know");
       }});

  checks.push_back({"server.oversized-request-is-resource-exhausted", "S3",
                    "A request message just over 4 MiB is RESOURCE_EXHAUSTED",
                    [](CheckContext& ctx) {
                      constexpr std::size_t kPadding = 4 * 1024 * 1024 + 1024;
                      // A valid GetUserRequest, made large by an unknown field: a server
                      // that accepted it would simply skip the padding.
                      v1::GetUserRequest request;
                      request.set_id(1);
                      request.GetReflection()->MutableUnknownFields(&request)->AddLengthDelimited(
                          1000, std::string(kPadding, 'x'));
                      const std::size_t size = request.ByteSizeLong();
                      ctx.Sent(
                          absl::StrCat("GetUser <- GetUserRequest{id: 1} padded by an "
                                       "unknown field 1000 to ",
                                       size, " bytes (4 MiB is 4194304)"));
                      grpc::ChannelArguments args;
                      args.SetMaxSendMessageSize(-1);  // so this client does not refuse it
                      auto stub = v1::UserService::NewStub(ctx.target().NewChannel(args));
                      auto call = ctx.NewCall();
                      v1::User user;
                      const grpc::Status status = stub->GetUser(call.get(), request, &user);
                      ctx.Received(absl::StrCat("GetUser -> ", DescribeStatus(status)));
                      ctx.ExpectCode(status, grpc::StatusCode::RESOURCE_EXHAUSTED,
                                     absl::StrCat("a GetUser request of ", size, " bytes"),
                                     "keep gRPC's default receive limit of 4 MiB: do not "
                                     "raise it with SetMaxReceiveMessageSize (or "
                                     "grpc.max_receive_message_length) to -1 or more");
                    }});
}

}  // namespace

void AddServerChecks(std::vector<CheckDef>& checks) {
  AddHealthChecks(checks);                    // S1
  server_suite::AddReflectionChecks(checks);  // S2, server_reflection.cc
  AddUnknownCallChecks(checks);               // S3
  server_suite::AddProcessChecks(checks);     // S4, server_process.cc; it must come last
}

}  // namespace course::harness
