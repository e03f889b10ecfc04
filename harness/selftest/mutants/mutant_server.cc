#include "mutants/mutant_server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/codegen/server_callback_handlers.h>
#include <grpcpp/impl/rpc_service_method.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "mutants/interop_mutants.h"
#include "service/interceptors.h"

namespace course::mutants {
namespace {

// S2: linking gRPC's reflection library registers its plugin by itself, so
// the mutant has to take the plugin out of the builder again.
class DropReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments* /*args*/) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const auto& plugin) {
                                    return plugin->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

// S2-undescribed: a service built by hand, with no .proto behind it.
// Reflection lists every registered service by name, but finds no
// descriptor for this one, so asking it to describe the service fails.
class UndescribedService final : public grpc::Service {
 public:
  UndescribedService() {
    AddMethod(new grpc::internal::RpcServiceMethod("/course.v1.Undescribed/Ping",
                                                   grpc::internal::RpcMethod::NORMAL_RPC, nullptr));
    MarkMethodCallback(
        0, new grpc::internal::CallbackUnaryHandler<grpc::ByteBuffer, grpc::ByteBuffer>(
               [](grpc::CallbackServerContext* context, const grpc::ByteBuffer* /*request*/,
                  grpc::ByteBuffer* /*response*/) {
                 grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
                 reactor->Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not described"));
                 return reactor;
               }));
  }
};

}  // namespace

MutantServer::MutantServer(const MutantServerOptions& options)
    : store_(stored_users_, options.fault),
      hub_(options.fault),
      user_service_(store_, hub_, options.token, options.fault),
      chat_service_(hub_, options.fault) {
  stored_users_.Seed(options.seed);
}

absl::StatusOr<std::unique_ptr<MutantServer>> MutantServer::Start(
    const MutantServerOptions& options) {
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // As the reference does: the health descriptors in the generated pool.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  std::unique_ptr<MutantServer> server(new MutantServer(options));
  const std::string& fault = options.fault;
  grpc::ServerBuilder builder;
  int selected_port = 0;
  builder.AddListeningPort(options.listen, grpc::InsecureServerCredentials(), &selected_port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (fault == "S3") builder.SetMaxReceiveMessageSize(64 << 20);
  if (fault == "S2") builder.SetOption(std::make_unique<DropReflection>());
  builder.RegisterService(&server->user_service_);
  builder.RegisterService(&server->chat_service_);
  if (fault == "S2-undescribed") {
    server->undescribed_ = std::make_unique<UndescribedService>();
    builder.RegisterService(server->undescribed_.get());
  }
  if (IsInteropFault(fault)) {
    interop::LinkTestProtoDescriptor();
    server->test_service_ = std::make_unique<MutantTestService>(fault);
    builder.RegisterService(server->test_service_.get());
    if (fault == "interop.unimplemented_service") {
      server->unimplemented_service_ = std::make_unique<ImplementedUnimplementedService>();
    } else {
      server->unimplemented_service_ =
          std::make_unique<grpc::testing::UnimplementedService::CallbackService>();
    }
    builder.RegisterService(server->unimplemented_service_.get());
  }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(server->calls_.MakeFactory());
  // M1: without the interceptor nothing echoes x-request-id.
  if (fault != "M1") {
    interceptors.push_back(std::make_unique<service::RequestIdInterceptorFactory>());
  }
  if (options.call_log != nullptr) {
    interceptors.push_back(std::make_unique<service::CallLogInterceptorFactory>(options.call_log));
  }
  if (fault == "interop.custom_metadata") {
    interceptors.push_back(std::make_unique<DropEchoInitialFactory>());
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || selected_port == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen));
  }
  const std::string& listen = options.listen;
  server->address_ = absl::StrCat(listen.substr(0, listen.rfind(':')), ":", selected_port);
  auto* health = server->server_->GetHealthCheckService();
  health->SetServingStatus("course.v1.UserService", true);
  // S1: ChatService is never named to the health service.
  if (fault != "S1") health->SetServingStatus("course.v1.ChatService", true);
  return server;
}

MutantServer::~MutantServer() { Shutdown(std::chrono::seconds(0)); }

void MutantServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  service::DrainAndShutdown(*server_, calls_, grace);
}

}  // namespace course::mutants
