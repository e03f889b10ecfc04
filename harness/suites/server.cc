// Server-level rules: health (S1), reflection (S2), unknown methods and the
// message size limit (S3), and the process contract (S4).
#include <google/protobuf/descriptor.pb.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/sync_stream.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/calls.h"
#include "core/check.h"
#include "core/describe.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"

namespace course::harness {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

constexpr char kUserService[] = "course.v1.UserService";
constexpr char kChatService[] = "course.v1.ChatService";

constexpr char kHealthHint[] =
    "register the health service (in C++: grpc::EnableDefaultHealthCheckService"
    "(true) before building the server) and mark course.v1.UserService and "
    "course.v1.ChatService SERVING";
constexpr char kReflectionHint[] =
    "enable server reflection (in C++: link grpc++_reflection and call "
    "grpc::reflection::InitProtoReflectionServerBuilderPlugin() before "
    "building the server)";

std::string AddressOrPlaceholder(CheckContext& ctx) {
  const std::string address = ctx.target().Address();
  return address.empty() ? "HOST:PORT" : address;
}

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

// --- S2 ---------------------------------------------------------------------

// gRPC C++ 1.51 serves only v1alpha; newer servers serve v1. The messages are
// the same on the wire, so one pair of types speaks to both.
constexpr const char* kReflectionMethods[] = {
    "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo",
    "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
};

struct ReflectionAnswer {
  grpc::Status status;
  std::optional<ServerReflectionResponse> response;
};

// Sends one request on the reflection stream, half-closes, and reads the
// answer: on v1 first, then on v1alpha if v1 is UNIMPLEMENTED.
ReflectionAnswer AskReflection(CheckContext& ctx, const ServerReflectionRequest& request) {
  ReflectionAnswer answer;
  for (const char* method : kReflectionMethods) {
    auto call = ctx.NewCall();
    ctx.Sent(absl::StrCat(method, " <- ", Describe(request), ", half-close"));
    std::unique_ptr<grpc::ClientReaderWriter<ServerReflectionRequest, ServerReflectionResponse>>
        stream(grpc::internal::ClientReaderWriterFactory<
               ServerReflectionRequest,
               ServerReflectionResponse>::Create(ctx.target().Channel().get(),
                                                 grpc::internal::RpcMethod(
                                                     method,
                                                     grpc::internal::RpcMethod::BIDI_STREAMING),
                                                 call.get()));
    stream->Write(request);  // a failure shows in Finish
    stream->WritesDone();
    answer.response.reset();
    ServerReflectionResponse response;
    while (stream->Read(&response)) {
      if (!answer.response) answer.response = response;
    }
    answer.status = stream->Finish();
    ctx.Received(absl::StrCat(
        method, " -> ", answer.response ? absl::StrCat(Describe(*answer.response), " then ") : "",
        DescribeStatus(answer.status)));
    if (answer.status.error_code() != grpc::StatusCode::UNIMPLEMENTED) break;
  }
  return answer;
}

// Fails unless the reflection call answered OK with a response of its own
// kind (not an error_response).
const ServerReflectionResponse& ExpectReflectionAnswer(
    CheckContext& ctx, const ReflectionAnswer& answer,
    ServerReflectionResponse::MessageResponseCase want, const std::string& what) {
  ctx.ExpectCode(answer.status, grpc::StatusCode::OK,
                 absl::StrCat("the reflection stream (", what, ")"), kReflectionHint);
  ctx.Expect(answer.response.has_value(),
             absl::StrCat("the reflection stream ended OK without answering ", what),
             "one response per request (S2)", kReflectionHint);
  if (answer.response->has_error_response()) {
    const auto& error = answer.response->error_response();
    ctx.Fail(absl::StrCat("reflection answered ", what, " with error ",
                          CodeName(static_cast<grpc::StatusCode>(error.error_code())), ": \"",
                          error.error_message(), "\""),
             "a description of the contract's services (S2)",
             "register the course services on the same server as reflection, "
             "built from the generated code of course.proto");
  }
  ctx.Expect(answer.response->message_response_case() == want,
             absl::StrCat("reflection answered ", what, " with a response of another kind"),
             "the response that matches the request (S2)", kReflectionHint);
  return *answer.response;
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

// --- S4 ---------------------------------------------------------------------

ProcessControl& RequireProcess(CheckContext& ctx) {
  ProcessControl* process = ctx.target().Process();
  if (process == nullptr) {
    throw CheckSkipped(
        "the harness did not start this server (run it with --server-cmd to "
        "check S4)");
  }
  return *process;
}

}  // namespace

void AddServerChecks(std::vector<CheckDef>& checks) {
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

  checks.push_back(
      {"server.reflection-lists-course-services", "S2",
       "Server reflection lists course.v1.UserService and "
       "course.v1.ChatService",
       [](CheckContext& ctx) {
         ctx.Reproduce(absl::StrCat("grpcurl -plaintext ", AddressOrPlaceholder(ctx), " list"));
         ServerReflectionRequest request;
         request.set_list_services("*");
         const ReflectionAnswer answer = AskReflection(ctx, request);
         const ServerReflectionResponse& response = ExpectReflectionAnswer(
             ctx, answer, ServerReflectionResponse::kListServicesResponse, "list_services");
         std::vector<std::string> listed;
         for (const auto& service : response.list_services_response().service()) {
           listed.push_back(service.name());
         }
         for (const char* want : {kUserService, kChatService}) {
           bool found = false;
           for (const std::string& name : listed) found = found || name == want;
           ctx.Expect(
               found,
               absl::StrCat("reflection lists [", absl::StrJoin(listed, ", "), "] but not ", want),
               absl::StrCat(kUserService, " and ", kChatService, " among the listed services (S2)"),
               "register every course service on the server that runs "
               "reflection; reflection lists only registered services");
         }
       }});

  checks.push_back(
      {"server.reflection-describes-contract", "S2",
       "Server reflection describes course.v1.UserService with its four "
       "methods",
       [](CheckContext& ctx) {
         ctx.Reproduce(absl::StrCat("grpcurl -plaintext ", AddressOrPlaceholder(ctx), " describe ",
                                    kUserService));
         ServerReflectionRequest request;
         request.set_file_containing_symbol(kUserService);
         const ReflectionAnswer answer = AskReflection(ctx, request);
         const ServerReflectionResponse& response =
             ExpectReflectionAnswer(ctx, answer, ServerReflectionResponse::kFileDescriptorResponse,
                                    absl::StrCat("file_containing_symbol ", kUserService));

         // The file that declares the service, among it and its imports.
         std::optional<google::protobuf::ServiceDescriptorProto> service;
         std::vector<std::string> files;
         for (const std::string& bytes :
              response.file_descriptor_response().file_descriptor_proto()) {
           google::protobuf::FileDescriptorProto file;
           if (!file.ParseFromString(bytes)) {
             ctx.Fail(
                 "reflection sent a file descriptor that does not parse "
                 "as a google.protobuf.FileDescriptorProto",
                 "serialized FileDescriptorProto messages (S2)", kReflectionHint);
           }
           files.push_back(file.name());
           if (file.package() != "course.v1") continue;
           for (const auto& candidate : file.service()) {
             if (candidate.name() == "UserService") service = candidate;
           }
         }
         ctx.Received(absl::StrCat("files: [", absl::StrJoin(files, ", "), "]"));
         ctx.Expect(service.has_value(),
                    absl::StrCat("none of the files reflection sent ([", absl::StrJoin(files, ", "),
                                 "]) declares service UserService in package "
                                 "course.v1"),
                    "the file course/v1/course.proto, declaring UserService (S2)",
                    "build the server from the generated code of the course's "
                    "course.proto, unchanged");

         // name -> {client streaming, server streaming}, as in the contract.
         const std::map<std::string, std::pair<bool, bool>> want = {
             {"GetUser", {false, false}},
             {"ListUsers", {false, true}},
             {"CreateUsers", {true, false}},
             {"Chat", {true, true}},
         };
         std::map<std::string, std::pair<bool, bool>> got;
         for (const auto& method : service->method()) {
           got[method.name()] = {method.client_streaming(), method.server_streaming()};
         }
         auto shape = [](const std::pair<bool, bool>& streaming) {
           return absl::StrCat(streaming.first ? "stream " : "", "request -> ",
                               streaming.second ? "stream " : "", "response");
         };
         std::vector<std::string> got_names;
         for (const auto& [name, streaming] : got) {
           got_names.push_back(absl::StrCat(name, " (", shape(streaming), ")"));
         }
         ctx.Received(absl::StrCat("UserService methods: ", absl::StrJoin(got_names, ", ")));
         for (const auto& [name, streaming] : want) {
           auto it = got.find(name);
           ctx.Expect(it != got.end(),
                      absl::StrCat("the described UserService has no method ", name),
                      "GetUser, ListUsers, CreateUsers and Chat (S2)",
                      "serve the contract's course.proto unchanged; a copy "
                      "with methods renamed or left out is another contract");
           ctx.Expect(it->second == streaming,
                      absl::StrCat("UserService.", name, " is described as ", shape(it->second)),
                      absl::StrCat(name, " as ", shape(streaming), " (S2)"),
                      "serve the contract's course.proto unchanged");
         }
       }});

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

  checks.push_back({"server.prints-listening-line", "S4",
                    "The server prints `listening on HOST:PORT` with its real, non-zero "
                    "port",
                    [](CheckContext& ctx) {
                      ProcessControl& process = RequireProcess(ctx);
                      const std::string line = process.ListeningLine();
                      ctx.Received(absl::StrCat("first stdout line: \"", line, "\""));
                      const std::string prefix = "listening on ";
                      const std::size_t colon = line.rfind(':');
                      ctx.Expect(line.rfind(prefix, 0) == 0 && colon != std::string::npos &&
                                     colon > prefix.size(),
                                 "the first line on stdout is not `listening on HOST:PORT`",
                                 "exactly `listening on HOST:PORT`, e.g. `listening on "
                                 "127.0.0.1:40123` (S4)",
                                 "print the line once the server is built and started, "
                                 "and nothing on stdout before it (logs go to stderr)");
                      int port = 0;
                      const std::string port_text = line.substr(colon + 1);
                      ctx.Expect(
                          absl::SimpleAtoi(port_text, &port) && port > 0 && port < 65536,
                          absl::StrCat("the port in the listening line is \"", port_text, "\""),
                          "the real port, 1..65535 (S4)",
                          "with --listen HOST:0 print the port gRPC chose (the "
                          "selected_port out-parameter of AddListeningPort), not "
                          "the 0 that was asked for");
                    }});

  // Keep this check LAST: it stops the server. The runner runs the `server`
  // area last and checks in the order registered, so nothing runs after it.
  checks.push_back(
      {"server.sigterm-drains-and-exits-zero", "S4",
       "On SIGTERM the server finishes the call in flight and exits with "
       "status 0",
       [](CheckContext& ctx) {
         ProcessControl& process = RequireProcess(ctx);
         const std::vector<v1::User> made = MakeUsers(ctx, 3);
         v1::ListUsersRequest request;
         request.set_after_id(made.front().id() - 1);
         request.set_page_size(3);
         request.set_interval_ms(200);
         ctx.Reproduce(
             absl::StrCat("grpcurl -plaintext -d '{\"after_id\": ", request.after_id(),
                          ", \"page_size\": 3, \"interval_ms\": 200}' ", AddressOrPlaceholder(ctx),
                          " course.v1.UserService/ListUsers & sleep 0.1; kill -TERM <server "
                          "pid>; wait  # all 3 users arrive, then the server exits 0"));
         ctx.Sent(absl::StrCat("ListUsers <- ", Describe(request)));

         // The slow call, in a thread of its own; it tells us when its first
         // user has arrived, so SIGTERM surely lands while it is in flight.
         auto call = ctx.NewCall(std::chrono::seconds(10));
         std::vector<v1::User> got;
         grpc::Status list_status;
         std::promise<void> first_user;
         std::future<void> first_user_arrived = first_user.get_future();
         std::atomic<bool> any_user{false};
         std::thread reader([&] {
           auto stream = ctx.users().ListUsers(call.get(), request);
           v1::User user;
           while (stream->Read(&user)) {
             got.push_back(user);
             if (got.size() == 1) {
               any_user = true;
               first_user.set_value();
             }
           }
           list_status = stream->Finish();
           if (!any_user) first_user.set_value();
         });
         // Bounded twice over: by this wait and by the call's own deadline.
         first_user_arrived.wait_for(std::chrono::seconds(10));
         std::optional<int> code;
         std::string how;
         if (any_user) {
           ctx.Sent("SIGTERM to the server, while ListUsers streams");
           code = process.TerminateAndWait(std::chrono::seconds(6), &how);
         }
         reader.join();
         ctx.Received(absl::StrCat("ListUsers -> ", got.size(), " users then ",
                                   DescribeStatus(list_status)));

         if (!any_user) {
           ctx.Fail(
               "ListUsers never sent its first user, so there was no "
               "call in flight to drain",
               "the first of the 3 users this check created (L2)",
               "this check needs ListUsers to work first (rules L2, L3)");
         }
         const std::string tail = process.StderrTail();
         ctx.Received(absl::StrCat("after SIGTERM: ", how,
                                   tail.empty() ? "" : "; its stderr ends with:\n", tail));
         if (!code) {
           ctx.Fail("the server was still running 6 s after SIGTERM",
                    "the exit within 5 s of SIGTERM, after the calls in flight "
                    "end (S4)",
                    "handle SIGTERM (a signal handler that wakes main, or "
                    "sigwait), then Shutdown(now + 5 s) and return from main");
         }
         ctx.Expect(*code == 0,
                    absl::StrCat("after SIGTERM the server did not exit "
                                 "with status 0 (",
                                 how, ")"),
                    "exit status 0 (S4)",
                    *code == 128 + 15 ? "SIGTERM's default action kills the process: handle "
                                        "the signal, shut the server down, return 0 from main"
                                      : "return 0 from main after Shutdown; SIGTERM is the "
                                        "normal way to stop a server, not an error");
         ctx.ExpectCode(list_status, grpc::StatusCode::OK,
                        "the ListUsers call in flight when SIGTERM came",
                        "drain: Shutdown with a deadline (server->Shutdown(now "
                        "+ 5 s)) lets calls in flight finish; Shutdown() without "
                        "one, or exiting at the signal, cuts them off");
         ctx.Expect(
             got.size() == 3,
             absl::StrCat("the call in flight ended OK after ", got.size(), " of its 3 users"),
             "all 3 users, then OK (S4)",
             "a call in flight must finish its work during the drain, "
             "not end early because the server is stopping");
       }});
}

}  // namespace course::harness
