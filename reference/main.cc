// The reference server: the course contract's oracle, as a program.
//
//   course-reference-server --listen 127.0.0.1:50051 --seed 5 --token secret
//   course-reference-server --interop    (also gRPC's interop TestService)
//
// Prints `listening on HOST:PORT` once it serves (S4) and logs one line per
// call to stderr. SIGTERM or SIGINT drains calls in flight for up to 5 s,
// and exits as soon as none is left (service/drain.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "service/server.h"
#include "service/stop_signals.h"

namespace {

int RunServer(const course::service::ServerOptions& options) {
  course::service::StopSignals stop_signals;  // before gRPC starts its threads

  auto server = course::service::ReferenceServer::Start(options);
  if (!server.ok()) {
    std::cerr << "course-reference-server: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "listening on " << (*server)->address() << std::endl;

  const int signal = stop_signals.Wait();
  std::cerr << "course-reference-server: stopping (signal " << signal
            << "), draining calls for up to 5 s\n";
  (*server)->Shutdown(std::chrono::seconds(5));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The course's reference gRPC server (course.v1)"};
  course::service::ServerOptions options;
  options.listen = "127.0.0.1:50051";
  options.call_log = stderr;
  bool quiet = false;
  app.add_option("--listen", options.listen, "HOST:PORT to serve on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "create N predictable users at start")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--token", options.token, "require `authorization: Bearer TOKEN` for CreateUsers");
  app.add_option("--tls-cert", options.tls_cert_file, "PEM certificate chain: serve TLS")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", options.tls_key_file, "PEM private key for --tls-cert")
      ->check(CLI::ExistingFile);
  app.add_flag("--interop", options.interop,
               "also serve gRPC's interop test service (grpc.testing.TestService)");
  app.add_flag("--quiet", quiet, "do not log calls to stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "course-reference-server: " << e.what() << " (try --help)\n";
    return 2;
  }
  if (quiet) options.call_log = nullptr;
  return RunServer(options);
}
