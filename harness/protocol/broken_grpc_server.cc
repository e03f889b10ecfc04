// A small gRPC server of grpc.health.v1.Health on nghttp2's server API,
// wrong in one way per --mode: the protocol suite's self-test.
// harness/protocol/broken_servers.txt names the check that must catch each
// mode. It serves no reflection: the tests give it
// --proto .../grpc/health/v1/health.proto, which checks that path too.
//
//   course-broken-grpc-server --mode MODE [--listen 127.0.0.1:0]
//
//   ok                      nothing broken (the control)
//   unknown-method-404      an unknown path answered with HTTP 404
//   unknown-health-serving  Health/Check of an unknown name answers SERVING
//   watch-ends              Health/Watch ends OK right after its first message
//   raw-utf8-message        grpc-message with raw UTF-8 bytes
//   status-in-headers       grpc-status in the initial HEADERS as well
//   data-ends-stream        no trailers: the DATA frame ends the stream
//   lying-prefix            a length prefix 10 bytes longer than the message
//   wrong-response-type     a response message that is no HealthCheckResponse
//   split-frames-misread    a message prefix split across DATA frames is an error
//   empty-data-refused      an empty DATA frame with END_STREAM is an error
//   truncated-ok            a message cut short is served as an empty one
//   identity-rejected       grpc-encoding: identity is UNIMPLEMENTED
//   unknown-encoding-ok     an unknown grpc-encoding is ignored
//   timeout-units-wrong     every grpc-timeout unit read as milliseconds
//   timeout-overflow        grpc-timeout in 32-bit nanoseconds (wraps around)
//   timeout-ignored         grpc-timeout never ends a call
//   no-ping-ack             PING never acknowledged
//   unknown-frame-goaway    a frame of unknown type ends the connection
//   keeps-bad-connections  a bad connection preface leaves the connection open
//   answers-http1           an HTTP/1.1 request gets a gRPC answer
//   refuses-streams         100 streams advertised, the 9th refused
//   rst-leaks               16 advertised; a reset stream is never freed
//   needs-api-key           nothing broken, but every call needs x-api-key: secret
//                           (for -H; UNAUTHENTICATED without it)
//   no-goaway               SIGTERM: exits at once, no GOAWAY
//   drops-calls-on-stop     SIGTERM: GOAWAY, but calls in flight are dropped
//
// Prints `listening on 127.0.0.1:PORT` once it accepts connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <memory>

#include "protocol/broken_grpc_connection.h"

namespace {

using course::broken::Clock;
using course::broken::Connection;

// Milliseconds until the earliest deadline of any connection (-1: none).
int PollTimeout(std::vector<std::unique_ptr<Connection>>& connections) {
  std::optional<Clock::time_point> next;
  for (auto& c : connections) {
    std::optional<Clock::time_point> d = c->Tick();
    c->Pump();
    if (d && (!next || *d < *next)) next = d;
  }
  if (!next) return -1;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*next - Clock::now());
  return static_cast<int>(std::clamp<long long>(ms.count() + 1, 0, 60000));
}

int Serve(int listener, int signals, const std::string& mode) {
  std::vector<std::unique_ptr<Connection>> connections;
  std::optional<Clock::time_point> stopping;
  for (;;) {
    if (stopping) {
      bool idle = true;
      for (const auto& c : connections) idle = idle && c->Idle() && !c->WantsWrite();
      if (idle || Clock::now() > *stopping + std::chrono::seconds(5)) return 0;
    }
    const int timeout = stopping ? 50 : PollTimeout(connections);
    if (stopping) PollTimeout(connections);
    std::vector<pollfd> fds = {{listener, static_cast<short>(stopping ? 0 : POLLIN), 0},
                               {signals, POLLIN, 0}};
    for (const auto& c : connections) {
      fds.push_back({c->fd(), static_cast<short>(POLLIN | (c->WantsWrite() ? POLLOUT : 0)), 0});
    }
    if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) return 1;
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo info;
      (void)read(signals, &info, sizeof info);
      if (mode == "no-goaway") return 0;  // the sockets close with the process
      stopping = Clock::now();
      for (auto& c : connections) c->StartShutdown();
    }
    std::vector<std::unique_ptr<Connection>> open;
    for (std::size_t i = 0; i < connections.size(); ++i) {
      bool keep = true;
      if (fds[i + 2].revents & (POLLIN | POLLHUP | POLLERR)) keep = connections[i]->OnReadable();
      if (keep && (fds[i + 2].revents & POLLOUT)) keep = connections[i]->Pump();
      if (keep) open.push_back(std::move(connections[i]));
    }
    connections = std::move(open);
    if (fds[0].revents & POLLIN) {
      const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        connections.push_back(std::make_unique<Connection>(fd, mode));
        connections.back()->Pump();
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A grpc.health.v1.Health server that breaks one rule of gRPC on the wire"};
  std::string mode = "ok";
  std::string listen = "127.0.0.1:0";
  app.add_option("--mode", mode, "what to break")
      ->check(CLI::IsMember({"ok",
                             "unknown-method-404",
                             "unknown-health-serving",
                             "watch-ends",
                             "raw-utf8-message",
                             "status-in-headers",
                             "data-ends-stream",
                             "lying-prefix",
                             "wrong-response-type",
                             "split-frames-misread",
                             "empty-data-refused",
                             "truncated-ok",
                             "identity-rejected",
                             "unknown-encoding-ok",
                             "timeout-units-wrong",
                             "timeout-overflow",
                             "timeout-ignored",
                             "no-ping-ack",
                             "unknown-frame-goaway",
                             "keeps-bad-connections",
                             "answers-http1",
                             "refuses-streams",
                             "rst-leaks",
                             "needs-api-key",
                             "no-goaway",
                             "drops-calls-on-stop"}));
  app.add_option("--listen", listen, "IPV4:PORT; port 0 picks a free port");
  CLI11_PARSE(app, argc, argv);

  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  const int signals = signalfd(-1, &stop, SFD_CLOEXEC);

  std::uint16_t port = 0;
  const int listener = course::h2fixture::ListenTcp(listen, "course-broken-grpc-server", &port);
  if (listener < 0 || signals < 0) return 1;
  std::cerr << "course-broken-grpc-server: mode " << mode << "\n";
  std::cout << "listening on " << listen.substr(0, listen.rfind(':')) << ":" << port << std::endl;
  return Serve(listener, signals, mode);
}
