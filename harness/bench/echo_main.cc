// The bare echo server as a program, so that `course bench` and h2load can
// load it exactly as they load the reference:
//
//   course-bench-echo-server --listen 127.0.0.1:0
//
// Prints `listening on HOST:PORT` once it serves and stops on SIGTERM or
// SIGINT, like a course server (S4); GetUser answers one fixed user.
#include <pthread.h>

#include <csignal>
#include <cstring>
#include <iostream>
#include <string>

#include "bench/bare_server.h"

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
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  auto server = course::bench::BareServer::Start(listen);
  if (server == nullptr) {
    std::cerr << "course-bench-echo-server: cannot listen on " << listen << "\n";
    return 1;
  }
  std::cout << "listening on " << server->address() << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  return 0;
}
