// The servers of the gRPC-against-REST benchmarks (stack_bench.cc), in a
// process of their own so that their CPU time is read apart from the
// client's:
//
//   course-bench-stack-server [--rest-threads N] [--seed N] [--batch-writes]
//
// Runs the reference server (UserService over gRPC), a RowService server
// (the benchmark-only table of rows.proto over gRPC) and the REST/JSON twin
// of both on the reference's store (cpp-httplib with N worker threads), all
// on 127.0.0.1 with free ports. Prints one line once all three serve,
//
//   listening grpc=127.0.0.1:P rows=127.0.0.1:Q rest=R
//
// and stops on SIGTERM or SIGINT.
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>
#include <string>

#include "bench/rest_twin.h"
#include "bench/rows.grpc.pb.h"
#include "bench/rows.h"
#include "service/server.h"

namespace course::bench {
namespace {

class RowServiceImpl final : public RowService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetRows(grpc::CallbackServerContext* context,
                                    const RowsRequest* request, Rows* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->count() < 0 || request->count() > kMaxRows) {
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                   "count must be 0 to " + std::to_string(kMaxRows)));
      return reactor;
    }
    FillRows(request->count(), response);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int Run(int rest_threads, int seed, bool batch_writes) {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  service::ServerOptions options;
  options.seed = seed;
  options.batch_writes = batch_writes;
  auto reference = service::ReferenceServer::Start(options);
  if (!reference.ok()) {
    std::cerr << "course-bench-stack-server: " << reference.status().message() << "\n";
    return 1;
  }
  RowServiceImpl rows;
  grpc::ServerBuilder builder;
  int rows_port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &rows_port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&rows);
  std::unique_ptr<grpc::Server> rows_server = builder.BuildAndStart();
  RestOptions rest_options;
  rest_options.threads = rest_threads;
  auto rest = RestTwin::Start((*reference)->store(), rest_options);
  if (rows_server == nullptr || rows_port == 0 || rest == nullptr) {
    std::cerr << "course-bench-stack-server: cannot listen on 127.0.0.1\n";
    return 1;
  }
  std::cout << "listening grpc=" << (*reference)->address() << " rows=127.0.0.1:" << rows_port
            << " rest=" << rest->port() << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  rest.reset();
  rows_server->Shutdown(std::chrono::system_clock::now());
  (*reference)->Shutdown(std::chrono::milliseconds(0));
  return 0;
}

}  // namespace
}  // namespace course::bench

int main(int argc, char** argv) {
  CLI::App app{"servers for the gRPC-against-REST benchmarks"};
  int rest_threads = 8;
  int seed = 1000;
  bool batch_writes = false;
  app.add_option("--rest-threads", rest_threads, "worker threads of the REST server")
      ->check(CLI::Range(1, 4096));
  app.add_option("--seed", seed, "users in the store")->check(CLI::Range(0, 1000000));
  app.add_flag("--batch-writes", batch_writes, "ListUsers lets gRPC batch its writes");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return e.get_exit_code() == 0 ? app.exit(e) : (app.exit(e), 2);
  }
  return course::bench::Run(rest_threads, seed, batch_writes);
}
