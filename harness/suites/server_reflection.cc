// S2: server reflection lists the course services and describes the
// contract, on reflection v1 or v1alpha.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/sync_stream.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/check.h"
#include "core/describe.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "suites/server_parts.h"

namespace course::harness::server_suite {
namespace {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

constexpr char kReflectionHint[] =
    "enable server reflection (in C++: link grpc++_reflection and call "
    "grpc::reflection::InitProtoReflectionServerBuilderPlugin() before "
    "building the server)";

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
// The names reflection lists, or a failure when it cannot list them.
std::vector<std::string> ListedServices(CheckContext& ctx) {
  ServerReflectionRequest request;
  request.set_list_services("*");
  const ReflectionAnswer answer = AskReflection(ctx, request);
  const ServerReflectionResponse& response = ExpectReflectionAnswer(
      ctx, answer, ServerReflectionResponse::kListServicesResponse, "list_services");
  std::vector<std::string> listed;
  for (const auto& service : response.list_services_response().service()) {
    listed.push_back(service.name());
  }
  return listed;
}

void ListsCourseServices(CheckContext& ctx) {
  ctx.Reproduce(absl::StrCat("grpcurl -plaintext ", AddressOrPlaceholder(ctx), " list"));
  const std::vector<std::string> listed = ListedServices(ctx);
  for (const char* want : {kUserService, kChatService}) {
    bool found = false;
    for (const std::string& name : listed) found = found || name == want;
    ctx.Expect(found,
               absl::StrCat("reflection lists [", absl::StrJoin(listed, ", "), "] but not ", want),
               absl::StrCat(kUserService, " and ", kChatService, " among the listed services (S2)"),
               "register every course service on the server that runs "
               "reflection; reflection lists only registered services");
  }
}

// The file that declares the service, among it and its imports; fails when
// none of them does.
google::protobuf::ServiceDescriptorProto FindUserService(CheckContext& ctx,
                                                         const ServerReflectionResponse& response) {
  std::optional<google::protobuf::ServiceDescriptorProto> service;
  std::vector<std::string> files;
  for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
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
  return *service;
}

// {client streaming, server streaming} of a method.
using Streaming = std::pair<bool, bool>;

std::string Shape(const Streaming& streaming) {
  return absl::StrCat(streaming.first ? "stream " : "", "request -> ",
                      streaming.second ? "stream " : "", "response");
}

// Fails unless `service` has the contract's four methods, each with its
// streaming shape.
void ExpectContractMethods(CheckContext& ctx,
                           const google::protobuf::ServiceDescriptorProto& service) {
  const std::map<std::string, Streaming> want = {
      {"GetUser", {false, false}},
      {"ListUsers", {false, true}},
      {"CreateUsers", {true, false}},
      {"Chat", {true, true}},
  };
  std::map<std::string, Streaming> got;
  for (const auto& method : service.method()) {
    got[method.name()] = {method.client_streaming(), method.server_streaming()};
  }
  std::vector<std::string> got_names;
  for (const auto& [name, streaming] : got) {
    got_names.push_back(absl::StrCat(name, " (", Shape(streaming), ")"));
  }
  ctx.Received(absl::StrCat("UserService methods: ", absl::StrJoin(got_names, ", ")));
  for (const auto& [name, streaming] : want) {
    auto it = got.find(name);
    ctx.Expect(it != got.end(), absl::StrCat("the described UserService has no method ", name),
               "GetUser, ListUsers, CreateUsers and Chat (S2)",
               "serve the contract's course.proto unchanged; a copy "
               "with methods renamed or left out is another contract");
    ctx.Expect(it->second == streaming,
               absl::StrCat("UserService.", name, " is described as ", Shape(it->second)),
               absl::StrCat(name, " as ", Shape(streaming), " (S2)"),
               "serve the contract's course.proto unchanged");
  }
}

void DescribesContract(CheckContext& ctx) {
  ctx.Reproduce(
      absl::StrCat("grpcurl -plaintext ", AddressOrPlaceholder(ctx), " describe ", kUserService));
  ServerReflectionRequest request;
  request.set_file_containing_symbol(kUserService);
  const ReflectionAnswer answer = AskReflection(ctx, request);
  const ServerReflectionResponse& response =
      ExpectReflectionAnswer(ctx, answer, ServerReflectionResponse::kFileDescriptorResponse,
                             absl::StrCat("file_containing_symbol ", kUserService));
  ExpectContractMethods(ctx, FindUserService(ctx, response));
}

// The files reflection sent, by name.
using FileSet = std::map<std::string, google::protobuf::FileDescriptorProto>;

// Asks reflection for `what` (a symbol or a file name, as `request` says) and
// adds the files of its answer to `files`; fails, naming `subject`, when
// reflection cannot answer.
void FetchFiles(CheckContext& ctx, const ServerReflectionRequest& request, const std::string& what,
                const std::string& subject, const std::string& hint, FileSet& files) {
  const ReflectionAnswer answer = AskReflection(ctx, request);
  std::string got;
  if (!answer.status.ok()) {
    got = absl::StrCat("the stream ended ", DescribeStatus(answer.status));
  } else if (!answer.response) {
    got = "the stream ended OK without an answer";
  } else if (answer.response->has_error_response()) {
    const auto& error = answer.response->error_response();
    got = absl::StrCat("error ", CodeName(static_cast<grpc::StatusCode>(error.error_code())), " \"",
                       error.error_message(), "\"");
  } else if (!answer.response->has_file_descriptor_response()) {
    got = "a response of another kind";
  }
  if (!got.empty()) {
    ctx.Fail(absl::StrCat(subject, ", but ", what, " answered ", got),
             "every service reflection lists can be described, with every file it imports (S2)",
             hint);
  }
  for (const std::string& bytes :
       answer.response->file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    ctx.Expect(file.ParseFromString(bytes),
               absl::StrCat(what, " sent a file descriptor that does not parse"),
               "serialized google.protobuf.FileDescriptorProto messages (S2)", kReflectionHint);
    files[file.name()] = file;
  }
}

// Collects what a DescriptorPool says while it builds the files.
class PoolErrors final : public google::protobuf::DescriptorPool::ErrorCollector {
 public:
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message* /*descriptor*/, ErrorLocation /*location*/,
                const std::string& message) override {
    errors_.push_back(absl::StrCat(filename, ": ", element_name, ": ", message));
  }
  std::string Text() const { return absl::StrJoin(errors_, "; "); }

 private:
  std::vector<std::string> errors_;
};

constexpr char kUndescribedHint[] =
    "reflection describes a service only from the descriptors of its .proto "
    "that the server holds: register each service from its generated code. "
    "In C++ that is the generated pool, and gRPC's built-in health service "
    "never uses the generated grpc/health/v1/health.pb.cc: link it and name "
    "one of its descriptors at start-up "
    "(grpc::health::v1::HealthCheckRequest::descriptor())";

// Asks for the files of every listed service, then for every import none of
// them brought, until nothing is missing.
FileSet FilesOfServices(CheckContext& ctx, const std::vector<std::string>& listed) {
  FileSet files;
  for (const std::string& name : listed) {
    ctx.Reproduce(
        absl::StrCat("grpcurl -plaintext ", AddressOrPlaceholder(ctx), " describe ", name));
    ServerReflectionRequest request;
    request.set_file_containing_symbol(name);
    FetchFiles(ctx, request, absl::StrCat("file_containing_symbol ", name),
               absl::StrCat("reflection lists ", name), kUndescribedHint, files);
  }
  // Each round fetches at least one new file, and a server has few of them.
  for (int round = 0; round < 64; ++round) {
    std::optional<std::pair<std::string, std::string>> missing;  // {importer, import}
    for (const auto& [name, file] : files) {
      for (const std::string& import : file.dependency()) {
        if (files.count(import) == 0) missing = {name, import};
      }
    }
    if (!missing) break;
    ServerReflectionRequest request;
    request.set_file_by_filename(missing->second);
    FetchFiles(ctx, request, absl::StrCat("file_by_filename ", missing->second),
               absl::StrCat(missing->first, " imports ", missing->second), kUndescribedHint, files);
    ctx.Expect(files.count(missing->second) > 0,
               absl::StrCat("file_by_filename ", missing->second, " sent other files only"),
               absl::StrCat("the file ", missing->second, " (S2)"), kReflectionHint);
  }
  return files;
}

void DescribesEveryListedService(CheckContext& ctx) {
  ctx.Reproduce(absl::StrCat("grpcurl -plaintext ", AddressOrPlaceholder(ctx), " list"));
  const std::vector<std::string> listed = ListedServices(ctx);
  const FileSet files = FilesOfServices(ctx, listed);
  std::vector<std::string> names;
  google::protobuf::SimpleDescriptorDatabase database;
  for (const auto& [name, file] : files) {
    names.push_back(name);
    database.Add(file);
  }
  ctx.Received(absl::StrCat("files: [", absl::StrJoin(names, ", "), "]"));
  PoolErrors errors;
  google::protobuf::DescriptorPool pool(&database, &errors);
  for (const std::string& name : listed) {
    ctx.Expect(pool.FindServiceByName(name) != nullptr,
               absl::StrCat("the files reflection sent do not build a descriptor of ", name,
                            errors.Text().empty() ? "" : absl::StrCat(": ", errors.Text())),
               absl::StrCat("files that build into a descriptor pool declaring ", name, " (S2)"),
               "serve descriptors exactly as protoc produced them, with every import");
  }
}

}  // namespace

void AddReflectionChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"server.reflection-lists-course-services", "S2",
                    "Server reflection lists course.v1.UserService and "
                    "course.v1.ChatService",
                    ListsCourseServices});
  checks.push_back({"server.reflection-describes-contract", "S2",
                    "Server reflection describes course.v1.UserService with its four "
                    "methods",
                    DescribesContract});
  checks.push_back({"server.reflection-describes-every-listed-service", "S2",
                    "Every service reflection lists can be described, and its files build "
                    "with their imports",
                    DescribesEveryListedService});
}

}  // namespace course::harness::server_suite
