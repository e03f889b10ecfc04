// A hostile non-server: something that listens where a gRPC server should,
// or starts where a gRPC server should start, and then misbehaves. The
// harness must end every run against it with a clear verdict, never a hang.
//
//   course-hostile-server --mode silent [--listen 127.0.0.1:0]
//
// Socket modes print `listening on 127.0.0.1:PORT`, then per connection:
//   silent    read and discard, never write
//   http1     answer with a plain-text HTTP/1.1 400 and close (after
//             reading what the peer sends, so that it sees FIN, not RST)
//   garbage   write random bytes, then read and discard
//   close     close at once
//   reset     close with SO_LINGER 0, so the peer gets RST
// Start-up modes, for the harness's child-process paths:
//   exit-early     print nothing, write "boom" to stderr, exit 3
//   never-listens  print nothing and wait to be killed
//   wrong-line     print `ready!` instead of the listening line, then wait
// SIGTERM or SIGINT ends every mode with status 0.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace {

constexpr char kHttp1Answer[] =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 27\r\n"
    "Connection: close\r\n"
    "\r\n"
    "this is not a gRPC server\r\n";

// Random bytes written to each connection in `garbage` mode.
constexpr std::size_t kGarbageBytes = 4096;

// Blocks the stop signals, so that they are only ever seen through the
// returned descriptor (or sigwait) and the process ends cleanly.
sigset_t BlockStopSignals() {
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  sigprocmask(SIG_BLOCK, &stop, nullptr);
  return stop;
}

int WaitForStop() {
  const sigset_t stop = BlockStopSignals();
  int signal = 0;
  sigwait(&stop, &signal);
  return 0;
}

// Binds and listens on HOST:PORT; returns the socket and fills `port`, or -1.
int OpenListener(const std::string& host_port, std::uint16_t* port) {
  const std::size_t colon = host_port.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (colon == std::string::npos ||
      inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    std::cerr << "course-hostile-server: --listen wants IPV4:PORT, got " << host_port << "\n";
    return -1;
  }
  address.sin_port =
      htons(static_cast<std::uint16_t>(std::strtoul(host_port.c_str() + colon + 1, nullptr, 10)));
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  socklen_t size = sizeof address;
  if (bind(fd, generic, size) != 0 || listen(fd, 64) != 0 || getsockname(fd, generic, &size) != 0) {
    std::cerr << "course-hostile-server: cannot listen on " << host_port << ": "
              << std::strerror(errno) << "\n";
    close(fd);
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

void SendOnce(int fd, const char* data, std::size_t size) {
  // Best effort, never blocking: the peer may already be gone (MSG_NOSIGNAL
  // keeps SIGPIPE away) or not reading.
  (void)!send(fd, data, size, MSG_NOSIGNAL | MSG_DONTWAIT);
}

// Deals with a connection just accepted. Returns whether to keep it open
// (and go on reading and discarding what the peer sends).
bool Greet(const std::string& mode, int fd, std::mt19937_64& random) {
  if (mode == "close") {
    close(fd);
    return false;
  }
  if (mode == "reset") {
    const linger abort_on_close{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    close(fd);
    return false;
  }
  if (mode == "http1") {
    SendOnce(fd, kHttp1Answer, sizeof kHttp1Answer - 1);
    shutdown(fd, SHUT_WR);
  }
  if (mode == "garbage") {
    std::string bytes(kGarbageBytes, '\0');
    for (char& byte : bytes) byte = static_cast<char>(random() & 0xff);
    SendOnce(fd, bytes.data(), bytes.size());
  }
  return true;
}

int ServeBadly(const std::string& mode, const std::string& host_port, std::uint64_t seed) {
  const sigset_t stop = BlockStopSignals();
  const int stop_fd = signalfd(-1, &stop, SFD_CLOEXEC);
  std::uint16_t port = 0;
  const int listener = OpenListener(host_port, &port);
  if (listener < 0 || stop_fd < 0) return 1;
  std::cerr << "course-hostile-server: mode " << mode << ", seed " << seed << "\n";
  std::cout << "listening on " << host_port.substr(0, host_port.rfind(':')) << ":" << port
            << std::endl;

  std::mt19937_64 random(seed);
  // [0] the stop signal, [1] the listener, then the open connections.
  std::vector<pollfd> fds = {{stop_fd, POLLIN, 0}, {listener, POLLIN, 0}};
  while (true) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[0].revents != 0) break;
    if (fds[1].revents & POLLIN) {
      const int connection = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (connection >= 0 && Greet(mode, connection, random)) {
        fds.push_back({connection, POLLIN, 0});
      }
    }
    for (std::size_t i = 2; i < fds.size();) {
      if (fds[i].revents == 0) {
        ++i;
        continue;
      }
      char buffer[4096];
      const ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        close(fds[i].fd);
        fds[i] = fds.back();
        fds.pop_back();
        continue;
      }
      fds[i].revents = 0;
      ++i;
    }
  }
  std::cerr << "course-hostile-server: stopping\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A listener that is no gRPC server, for the harness's own tests"};
  std::string mode;
  std::string listen = "127.0.0.1:0";
  std::uint64_t seed = std::random_device{}();
  app.add_option("--mode", mode, "how to misbehave")
      ->required()
      ->check(CLI::IsMember({"silent", "http1", "garbage", "close", "reset", "exit-early",
                             "never-listens", "wrong-line"}));
  app.add_option("--listen", listen, "IPV4:PORT; port 0 picks a free port")->capture_default_str();
  app.add_option("--seed", seed, "seed of the random bytes in garbage mode");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "course-hostile-server: " << e.what() << " (try --help)\n";
    return 2;
  }

  if (mode == "exit-early") {
    std::cerr << "boom" << std::endl;
    return 3;
  }
  if (mode == "never-listens") return WaitForStop();
  if (mode == "wrong-line") {
    std::cout << "ready!" << std::endl;
    return WaitForStop();
  }
  return ServeBadly(mode, listen, seed);
}
