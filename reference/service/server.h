// Assembles the reference server: services, interceptors, health, reflection.
#ifndef COURSE_REFERENCE_SERVICE_SERVER_H_
#define COURSE_REFERENCE_SERVICE_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "domain/chat_hub.h"
#include "domain/user_store.h"
#include "interop/test_service.h"
#include "service/drain.h"
#include "service/user_service.h"

namespace course::service {

struct ServerOptions {
  // HOST:PORT to listen on; port 0 picks a free port. Empty: no TCP port,
  // only the in-process channel.
  std::string listen = "127.0.0.1:0";
  // M2: when non-empty, CreateUsers needs `authorization: Bearer <token>`.
  std::string token;
  // Users to create at start (user1@seed.example ...).
  int seed = 0;
  // PEM files for TLS; both empty: plaintext.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Where the per-call log goes; nullptr turns it off.
  std::FILE* call_log = nullptr;
  // ListUsers without a pause (interval_ms 0) lets gRPC buffer its writes and
  // flushes every 16th, instead of one flush per user. Off by default: the
  // benchmarks turn it on to measure what it buys.
  bool batch_writes = false;
  // Also serve gRPC's interop test service (grpc.testing.TestService and
  // UnimplementedService), for `conform --suite interop`.
  bool interop = false;
};

class ReferenceServer {
 public:
  // Builds and starts the server; fails with a one-line reason (for example
  // when the port is taken).
  static absl::StatusOr<std::unique_ptr<ReferenceServer>> Start(const ServerOptions& options);
  ~ReferenceServer();

  // "127.0.0.1:40123", with the real port; empty without a TCP port.
  const std::string& address() const { return address_; }
  int port() const { return port_; }
  // A channel that reaches the server without a socket.
  std::shared_ptr<grpc::Channel> InProcessChannel(
      const grpc::ChannelArguments& args = grpc::ChannelArguments());
  // Stops taking calls, gives calls in flight up to `grace`, then cancels
  // what is left; returns as soon as no call is left, even while clients
  // keep idle connections (service/drain.h). Safe to call more than once.
  void Shutdown(std::chrono::milliseconds grace);

  domain::InMemoryUserStore& store() { return store_; }
  domain::ChatHub& hub() { return hub_; }

 private:
  explicit ReferenceServer(const ServerOptions& options);

  domain::InMemoryUserStore store_;
  domain::ChatHub hub_;
  UserServiceImpl user_service_;
  ChatServiceImpl chat_service_;
  CallsInFlight calls_;  // outlives server_, whose interceptors count into it
  interop::TestServiceImpl test_service_;
  // Registered so that reflection lists it; every method is UNIMPLEMENTED.
  grpc::testing::UnimplementedService::CallbackService unimplemented_service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
  int port_ = 0;
  bool shut_down_ = false;
};

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_SERVER_H_
