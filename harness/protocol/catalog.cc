// The protocol suite's descriptors: a reflection client (v1, else v1alpha)
// and the descriptor set the person gave.
#include "protocol/catalog.h"

#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/rpc_method.h>
#include <grpcpp/support/sync_stream.h>

#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/describe.h"
#include "grpc/reflection/v1/reflection.grpc.pb.h"
#include "protocol/kit.h"

namespace course::harness::protocol {
namespace {

using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;
using Stream = grpc::ClientReaderWriter<ServerReflectionRequest, ServerReflectionResponse>;

constexpr char kRule[] = "every service reflection lists can be described (server-reflection.md)";
constexpr char kHint[] =
    "reflection describes a service from the descriptors of its .proto that the server "
    "holds: register every service from its generated code, and serve each file with "
    "all of its imports (grpcurl, grpcui and Postman need them)";

// One reflection stream: each request is answered by one response, in order.
// v1 and v1alpha carry the same messages, so one pair of types serves both.
class Reflection {
 public:
  explicit Reflection(CheckContext& ctx) : ctx_(ctx) {}

  // Lists the services on v1, else (UNIMPLEMENTED) on v1alpha.
  std::vector<std::string> List() {
    for (const char* version : {"v1", "v1alpha"}) {
      Open(version);
      ServerReflectionRequest request;
      request.set_list_services("*");
      std::optional<ServerReflectionResponse> response = Ask(request);
      if (response) {
        if (!response->has_list_services_response()) {
          ctx_.Fail(absl::StrCat("reflection ", version, " answered list_services with ",
                                 Answer(*response)),
                    "a list_services_response", kHint);
        }
        std::vector<std::string> names;
        for (const auto& service : response->list_services_response().service()) {
          names.push_back(service.name());
        }
        return names;
      }
      const grpc::Status status = Close();
      if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
        ctx_.ExpectCode(status, grpc::StatusCode::OK,
                        absl::StrCat("reflection ", version, " list_services"),
                        "serve grpc.reflection.v1.ServerReflection (or v1alpha)");
        ctx_.Fail(absl::StrCat("the reflection ", version, " stream ended OK with no answer"),
                  "one response per request (reflection.proto)", kHint);
      }
    }
    ctx_.Fail("the server serves neither grpc.reflection.v1 nor v1alpha ServerReflection",
              "server reflection, or the descriptors given with --proto or --descriptor-set",
              "turn reflection on, or pass --proto FILE (with -I DIR) or --descriptor-set FILE");
  }

  // The files of an answer to `request`; fails naming `subject`.
  void Fetch(const ServerReflectionRequest& request, const std::string& what,
             const std::string& subject, FileSet& files) {
    std::optional<ServerReflectionResponse> response = Ask(request);
    std::string got;
    if (!response) {
      got = absl::StrCat("the stream ended ", DescribeStatus(Close()));
    } else if (!response->has_file_descriptor_response()) {
      got = Answer(*response);
    }
    if (!got.empty())
      ctx_.Fail(absl::StrCat(subject, ", but ", what, " answered ", got), kRule, kHint);
    for (const std::string& bytes : response->file_descriptor_response().file_descriptor_proto()) {
      google::protobuf::FileDescriptorProto file;
      ctx_.Expect(file.ParseFromString(bytes),
                  absl::StrCat(what, " sent a file descriptor that does not parse"),
                  "serialized google.protobuf.FileDescriptorProto messages", kHint);
      files[file.name()] = file;
    }
  }

  const std::string& version() const { return version_; }

 private:
  void Open(const std::string& version) {
    version_ = version;
    const std::string method =
        absl::StrCat("/grpc.reflection.", version, ".ServerReflection/ServerReflectionInfo");
    call_ = NewCall(ctx_);
    stream_.reset(
        grpc::internal::
            ClientReaderWriterFactory<ServerReflectionRequest, ServerReflectionResponse>::Create(
                ctx_.target().Channel().get(),
                grpc::internal::RpcMethod(method.c_str(),
                                          grpc::internal::RpcMethod::BIDI_STREAMING),
                call_.get()));
    open_ = true;
  }

  std::optional<ServerReflectionResponse> Ask(const ServerReflectionRequest& request) {
    ctx_.Sent(absl::StrCat("reflection ", version_, " <- ", Describe(request)));
    ServerReflectionResponse response;
    if (!open_ || !stream_->Write(request) || !stream_->Read(&response)) return std::nullopt;
    ctx_.Received(absl::StrCat("reflection ", version_, " -> ", Answer(response)));
    return response;
  }

  grpc::Status Close() {
    if (!open_) return closed_;
    stream_->WritesDone();
    ServerReflectionResponse ignored;
    while (stream_->Read(&ignored)) {
    }
    closed_ = stream_->Finish();
    open_ = false;
    ctx_.Received(absl::StrCat("reflection ", version_, " stream -> ", DescribeStatus(closed_)));
    return closed_;
  }

  static std::string Answer(const ServerReflectionResponse& response) {
    if (response.has_error_response()) {
      const auto& error = response.error_response();
      return absl::StrCat("error ", CodeName(static_cast<grpc::StatusCode>(error.error_code())),
                          " \"", error.error_message(), "\"");
    }
    if (response.has_file_descriptor_response()) {
      return absl::StrCat(response.file_descriptor_response().file_descriptor_proto_size(),
                          " file descriptor(s)");
    }
    if (response.has_list_services_response()) {
      return absl::StrCat(response.list_services_response().service_size(), " service(s)");
    }
    return "a response of another kind";
  }

  CheckContext& ctx_;
  std::string version_;
  std::unique_ptr<grpc::ClientContext> call_;
  std::unique_ptr<Stream> stream_;
  bool open_ = false;
  grpc::Status closed_;

 public:
  ~Reflection() {
    if (open_) call_->TryCancel();
  }
};

// Asks for every import no file so far brought, until nothing is missing.
void FetchImports(CheckContext& ctx, Reflection& reflection, FileSet& files) {
  // Each round fetches at least one new file, and a server has few of them.
  for (int round = 0; round < 256; ++round) {
    std::optional<std::pair<std::string, std::string>> missing;  // {importer, import}
    for (const auto& [name, file] : files) {
      for (const std::string& import : file.dependency()) {
        if (files.count(import) == 0) missing = {name, import};
      }
    }
    if (!missing) return;
    ServerReflectionRequest request;
    request.set_file_by_filename(missing->second);
    reflection.Fetch(request, absl::StrCat("file_by_filename ", missing->second),
                     absl::StrCat(missing->first, " imports ", missing->second), files);
    ctx.Expect(files.count(missing->second) > 0,
               absl::StrCat("file_by_filename ", missing->second, " sent other files only"),
               absl::StrCat("the file ", missing->second), kHint);
  }
}

std::vector<std::string> DeclaredServices(const FileSet& files) {
  std::vector<std::string> services;
  for (const auto& [name, file] : files) {
    for (const auto& service : file.service()) {
      services.push_back(file.package().empty()
                             ? service.name()
                             : absl::StrCat(file.package(), ".", service.name()));
    }
  }
  return services;
}

// Collects what a DescriptorPool says while it builds the files.
class PoolErrors final : public google::protobuf::DescriptorPool::ErrorCollector {
 public:
  explicit PoolErrors(std::string* out) : out_(out) {}
  void AddError(const std::string& filename, const std::string& element_name,
                const google::protobuf::Message*, ErrorLocation,
                const std::string& message) override {
    absl::StrAppend(out_, out_->empty() ? "" : "; ", filename, ": ", element_name, ": ", message);
  }

 private:
  std::string* out_;
};

}  // namespace

bool BuildPool(Catalog& catalog) {
  catalog.database = std::make_unique<google::protobuf::SimpleDescriptorDatabase>();
  for (const auto& [name, file] : catalog.files) catalog.database->Add(file);
  PoolErrors errors(&catalog.build_errors);
  catalog.pool =
      std::make_unique<google::protobuf::DescriptorPool>(catalog.database.get(), &errors);
  bool built = true;
  for (const auto& [name, file] : catalog.files) {
    built = catalog.pool->FindFileByName(name) != nullptr && built;
  }
  catalog.factory = std::make_unique<google::protobuf::DynamicMessageFactory>(catalog.pool.get());
  return built;
}

Catalog LearnByReflection(CheckContext& ctx, Stage stage) {
  Catalog catalog;
  Reflection reflection(ctx);
  catalog.services = reflection.List();
  catalog.source = absl::StrCat("reflection ", reflection.version());
  if (stage == Stage::kList) return catalog;
  for (const std::string& name : catalog.services) {
    ServerReflectionRequest request;
    request.set_file_containing_symbol(name);
    reflection.Fetch(request, absl::StrCat("file_containing_symbol ", name),
                     absl::StrCat("reflection lists ", name), catalog.files);
  }
  if (stage == Stage::kDescribe) return catalog;
  FetchImports(ctx, reflection, catalog.files);
  if (stage == Stage::kImports) return catalog;
  const bool built = BuildPool(catalog);
  std::vector<std::string> names;
  for (const auto& [name, file] : catalog.files) names.push_back(name);
  ctx.Received(absl::StrCat("files: [", absl::StrJoin(names, ", "), "]"));
  ctx.Expect(built,
             absl::StrCat("the files reflection sent do not build into a descriptor pool: ",
                          catalog.build_errors),
             "files that build, as protoc made them", kHint);
  for (const std::string& name : catalog.services) {
    ctx.Expect(catalog.pool->FindServiceByName(name) != nullptr,
               absl::StrCat("the files reflection sent declare no service ", name),
               absl::StrCat("a file declaring ", name), kHint);
  }
  return catalog;
}

Catalog LearnServices(CheckContext& ctx) {
  const ServiceOptions& options = ctx.service();
  if (options.descriptor_set.empty()) return LearnByReflection(ctx);
  Catalog catalog;
  catalog.source = options.descriptor_source;
  google::protobuf::FileDescriptorSet set;
  ctx.Expect(set.ParseFromString(options.descriptor_set),
             absl::StrCat(options.descriptor_source, " is not a FileDescriptorSet"),
             "the output of protoc --descriptor_set_out --include_imports");
  for (const auto& file : set.file()) catalog.files[file.name()] = file;
  ctx.Expect(BuildPool(catalog),
             absl::StrCat("the descriptors of ", options.descriptor_source,
                          " do not build: ", catalog.build_errors),
             "a complete set (protoc --include_imports)");
  catalog.services = DeclaredServices(catalog.files);
  return catalog;
}

}  // namespace course::harness::protocol
