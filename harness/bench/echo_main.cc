// The bare echo server as a program, so that `course bench` and h2load can
// load it exactly as they load the reference:
//
//   course-bench-echo-server --listen 127.0.0.1:0
//
// Prints `listening on HOST:PORT` once it serves and stops on SIGTERM or
// SIGINT, like a course server (S4); GetUser answers one fixed user.
#include <pthread.h>

#include <cstring>
#include <iostream>
#include <string>

#include "bench/bare_server.h"
#include "service/stop_signals.h"

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
      listen = argv[++i];
    } else {
      std::cerr << "usage: course-bench-echo-server [--listen HOST:PORT]\n";
      return 2;
    }
  }
  course::service::StopSignals stop_signals;  // before gRPC starts its threads

  auto server = course::bench::BareServer::Start(listen);
  if (server == nullptr) {
    std::cerr << "course-bench-echo-server: cannot listen on " << listen << "\n";
    return 1;
  }
  std::cout << "listening on " << server->address() << std::endl;
  stop_signals.Wait();
  return 0;
}
