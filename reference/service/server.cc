#include "service/server.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "service/interceptors.h"

namespace course::service {

ReferenceServer::ReferenceServer(const ServerOptions& options)
    : user_service_(store_, hub_, TokenPolicy(options.token), options.batch_writes),
      chat_service_(hub_) {
  store_.Seed(options.seed);
}

absl::StatusOr<std::unique_ptr<ReferenceServer>> ReferenceServer::Start(
    const ServerOptions& options) {
  // S1, S2: both are process-wide switches in gRPC C++.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // S2: reflection lists grpc.health.v1.Health, so it must be able to
  // describe it too. gRPC's built-in health service encodes its messages by
  // hand and never uses the generated health.pb.cc, so nothing would pull
  // that file (and its descriptor) into the binary. Naming a descriptor of it
  // links it, and linking it puts health.proto in the generated pool, where
  // reflection looks.
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  std::unique_ptr<ReferenceServer> server(new ReferenceServer(options));
  grpc::ServerBuilder builder;
  int selected_port = 0;
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    auto read = [](const std::string& path, std::string* text) {
      std::ifstream in(path);
      std::stringstream buffer;
      buffer << in.rdbuf();
      *text = buffer.str();
      return static_cast<bool>(in) && !text->empty();
    };
    grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
    if (!read(options.tls_cert_file, &pair.cert_chain) ||
        !read(options.tls_key_file, &pair.private_key)) {
      return absl::InvalidArgumentError(absl::StrCat("cannot read the TLS certificate ",
                                                     options.tls_cert_file, " or key ",
                                                     options.tls_key_file));
    }
    grpc::SslServerCredentialsOptions ssl;
    ssl.pem_key_cert_pairs.push_back(pair);
    credentials = grpc::SslServerCredentials(ssl);
  }
  if (!options.listen.empty()) {
    builder.AddListeningPort(options.listen, credentials, &selected_port);
    // Without this, gRPC binds with SO_REUSEPORT and a second server on a
    // busy port would silently share it instead of failing.
    builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  }
  builder.RegisterService(&server->user_service_);
  builder.RegisterService(&server->chat_service_);
  if (options.interop) {
    interop::LinkTestProtoDescriptor();  // S2: reflection can describe it
    builder.RegisterService(&server->test_service_);
    builder.RegisterService(&server->unimplemented_service_);
  }

  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(server->calls_.MakeFactory());
  interceptors.push_back(std::make_unique<RequestIdInterceptorFactory>());
  if (options.call_log != nullptr) {
    interceptors.push_back(std::make_unique<CallLogInterceptorFactory>(options.call_log));
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));

  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || (!options.listen.empty() && selected_port == 0)) {
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options.listen,
                     " (address in use, or not an address of this machine)"));
  }
  if (!options.listen.empty()) {
    server->port_ = selected_port;
    const std::string& listen = options.listen;
    server->address_ = absl::StrCat(listen.substr(0, listen.rfind(':')), ":", selected_port);
  }
  auto* health = server->server_->GetHealthCheckService();
  health->SetServingStatus("course.v1.UserService", true);
  health->SetServingStatus("course.v1.ChatService", true);
  if (options.interop) health->SetServingStatus("grpc.testing.TestService", true);
  return server;
}

ReferenceServer::~ReferenceServer() { Shutdown(std::chrono::seconds(0)); }

std::shared_ptr<grpc::Channel> ReferenceServer::InProcessChannel(
    const grpc::ChannelArguments& args) {
  return server_->InProcessChannel(args);
}

void ReferenceServer::Shutdown(std::chrono::milliseconds grace) {
  if (shut_down_ || server_ == nullptr) return;
  shut_down_ = true;
  DrainAndShutdown(*server_, calls_, grace);
}

}  // namespace course::service
