// The server under test. Checks only ever see a Target; where the server
// runs (in this process, on loopback, as a child process, on another host)
// is a parameter of the run.
#ifndef COURSE_HARNESS_CORE_TARGET_H_
#define COURSE_HARNESS_CORE_TARGET_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"

namespace course::harness {

// Control over the server's process, for the rules that need it (S4).
class ProcessControl {
 public:
  virtual ~ProcessControl() = default;
  // The exact first line the server printed on stdout.
  virtual std::string ListeningLine() const = 0;
  // Sends SIGTERM and waits up to `bound` for the exit. Returns the exit
  // code, or nullopt when the process did not exit by itself in time (it is
  // then killed). `how` describes what happened, for failure messages.
  virtual std::optional<int> TerminateAndWait(std::chrono::milliseconds bound,
                                              std::string* how) = 0;
  // The last lines the server wrote on stderr.
  virtual std::string StderrTail() const = 0;
  // How many threads the server's processes run now (from /proc); nullopt
  // when that cannot be read.
  virtual std::optional<int> Threads() const = 0;
  // How the process ended, if it has within `within` (for example it
  // crashed during the checks); nullopt while it runs. A process killed by
  // a limit may take a moment to be reaped, hence the wait.
  virtual std::optional<std::string> EndedHow(std::chrono::milliseconds within) = 0;
};

struct TlsOptions;

class Target {
 public:
  virtual ~Target() = default;
  // A shared channel, for ordinary checks.
  virtual std::shared_ptr<grpc::Channel> Channel() = 0;
  // A channel of its own, with special arguments (for example BDP probing
  // off, or a larger receive limit).
  virtual std::shared_ptr<grpc::Channel> NewChannel(const grpc::ChannelArguments& args) = 0;
  // "in-process reference", "pid 812 on 127.0.0.1:40123", ...
  virtual std::string Describe() const = 0;
  // HOST:PORT for commands that reproduce a call by hand; empty in-process.
  virtual std::string Address() const = 0;
  // The token CreateUsers needs (M2); empty when the server needs none.
  virtual std::string Token() const = 0;
  // Non-null only when the harness started the server itself.
  virtual ProcessControl* Process() { return nullptr; }
  // How the harness reaches the server: TLS or not, and with what (for the
  // raw HTTP/2 client, which makes its own connections).
  virtual const TlsOptions& Tls() const;
};

struct TlsOptions {
  bool enabled = false;
  std::string ca_file;      // PEM roots; empty: the system's roots
  std::string server_name;  // overrides the name checked in the certificate
  std::string cert_file;    // PEM client certificate chain, for servers that ask for one
  std::string key_file;     // PEM private key of cert_file
};

// The reference server, in this process, without a socket.
absl::StatusOr<std::unique_ptr<Target>> MakeInProcessReference(const std::string& token, int seed);
// The reference server, in this process, on 127.0.0.1 with a free port.
absl::StatusOr<std::unique_ptr<Target>> MakeLoopbackReference(const std::string& token, int seed);
// A server at an address that somebody else runs. Waits up to
// `ready_within` for it to accept a connection.
absl::StatusOr<std::unique_ptr<Target>> MakeRemoteTarget(const std::string& address,
                                                         const TlsOptions& tls,
                                                         const std::string& token,
                                                         std::chrono::milliseconds ready_within);
// A server the harness starts: `command` runs under /bin/sh in its own
// process group, with `--listen 127.0.0.1:0` appended unless the command
// names --listen itself. Waits up to `start_within` for the
// `listening on HOST:PORT` line; an early exit is reported with its status
// and the last lines of stderr.
absl::StatusOr<std::unique_ptr<Target>> MakeProcessTarget(const std::string& command,
                                                          const std::string& token,
                                                          std::chrono::milliseconds start_within);
// The same, with the child's resources bounded (grading).
struct ChildLimits;
absl::StatusOr<std::unique_ptr<Target>> MakeProcessTarget(const std::string& command,
                                                          const std::string& token,
                                                          std::chrono::milliseconds start_within,
                                                          const ChildLimits& limits);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_TARGET_H_
