#include "bench/bare_server.h"

#include <algorithm>
#include <chrono>
#include <vector>

namespace course::bench {
namespace {

// Health checking and reflection are process-wide switches in gRPC C++ (and
// linking the reflection library registers its plugin by itself): once the
// reference server has run in this process, every new server would carry
// them. The bare server takes both out again.
class NoReflection final : public grpc::ServerBuilderOption {
 public:
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    plugins->erase(std::remove_if(plugins->begin(), plugins->end(),
                                  [](const auto& plugin) {
                                    return plugin->name() == "proto_server_reflection";
                                  }),
                   plugins->end());
  }
};

}  // namespace

BareUserService::BareUserService() {
  fixed_.set_id(1);
  fixed_.set_name("User 1");
  fixed_.set_email("user1@seed.example");
}

grpc::ServerUnaryReactor* BareUserService::GetUser(grpc::CallbackServerContext* context,
                                                   const v1::GetUserRequest* /*request*/,
                                                   v1::User* response) {
  *response = fixed_;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

std::unique_ptr<BareServer> BareServer::Start(const std::string& listen) {
  grpc::EnableDefaultHealthCheckService(false);
  std::unique_ptr<BareServer> server(new BareServer());
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);  // as the reference
  builder.SetOption(std::make_unique<NoReflection>());
  builder.RegisterService(&server->service_);
  server->server_ = builder.BuildAndStart();
  if (server->server_ == nullptr || port == 0) return nullptr;
  server->address_ = listen.substr(0, listen.rfind(':')) + ":" + std::to_string(port);
  return server;
}

BareServer::~BareServer() {
  if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
}

std::shared_ptr<grpc::Channel> BareServer::InProcessChannel(const grpc::ChannelArguments& args) {
  return server_->InProcessChannel(args);
}

}  // namespace course::bench
