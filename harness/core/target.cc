#include "core/target.h"

#include <signal.h>

#include <fstream>
#include <sstream>
#include <utility>

#include "absl/strings/str_cat.h"
#include "core/child_process.h"
#include "core/interop_target.h"
#include "service/server.h"

namespace course::harness {

const TlsOptions& Target::Tls() const {
  static const TlsOptions plaintext;
  return plaintext;
}

namespace {

// The whole of a small file (a PEM), or nullopt.
std::optional<std::string> ReadPem(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream pem;
  pem << in.rdbuf();
  return pem.str();
}

class ReferenceTarget final : public Target {
 public:
  ReferenceTarget(std::unique_ptr<service::ReferenceServer> server, std::string token)
      : server_(std::move(server)), token_(std::move(token)) {
    channel_ = NewChannel(grpc::ChannelArguments());
  }

  std::shared_ptr<grpc::Channel> Channel() override { return channel_; }
  std::shared_ptr<grpc::Channel> NewChannel(const grpc::ChannelArguments& args) override {
    if (server_->address().empty()) return server_->InProcessChannel(args);
    return grpc::CreateCustomChannel(server_->address(), grpc::InsecureChannelCredentials(), args);
  }
  std::string Describe() const override {
    return server_->address().empty()
               ? "the reference server, in-process"
               : absl::StrCat("the reference server on ", server_->address());
  }
  std::string Address() const override { return server_->address(); }
  std::string Token() const override { return token_; }

 private:
  std::unique_ptr<service::ReferenceServer> server_;
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
};

std::shared_ptr<grpc::ChannelCredentials> Credentials(const TlsOptions& tls, std::string* error) {
  if (!tls.enabled) return grpc::InsecureChannelCredentials();
  grpc::SslCredentialsOptions ssl;
  const std::pair<const std::string*, std::string*> files[] = {
      {&tls.ca_file, &ssl.pem_root_certs},
      {&tls.cert_file, &ssl.pem_cert_chain},
      {&tls.key_file, &ssl.pem_private_key}};
  for (const auto& [path, pem] : files) {
    if (path->empty()) continue;
    std::optional<std::string> text = ReadPem(*path);
    if (!text) {
      *error = absl::StrCat("cannot read the PEM file ", *path);
      return nullptr;
    }
    *pem = *std::move(text);
  }
  if (ssl.pem_cert_chain.empty() != ssl.pem_private_key.empty()) {
    *error = "--cert and --key go together";
    return nullptr;
  }
  return grpc::SslCredentials(ssl);
}

class RemoteTarget : public Target {
 public:
  RemoteTarget(std::string address, std::shared_ptr<grpc::ChannelCredentials> creds, TlsOptions tls,
               std::string token, std::string what)
      : address_(std::move(address)),
        creds_(std::move(creds)),
        tls_(std::move(tls)),
        token_(std::move(token)),
        what_(std::move(what)) {
    channel_ = NewChannel(grpc::ChannelArguments());
  }

  std::shared_ptr<grpc::Channel> Channel() override { return channel_; }
  std::shared_ptr<grpc::Channel> NewChannel(const grpc::ChannelArguments& args) override {
    grpc::ChannelArguments copy = args;
    if (!tls_.server_name.empty()) copy.SetSslTargetNameOverride(tls_.server_name);
    return grpc::CreateCustomChannel(address_, creds_, copy);
  }
  std::string Describe() const override { return what_; }
  std::string Address() const override { return address_; }
  std::string Token() const override { return token_; }
  const TlsOptions& Tls() const override { return tls_; }

  // Bounded wait for the first connection.
  absl::Status WaitReady(std::chrono::milliseconds bound) {
    if (channel_->WaitForConnected(std::chrono::system_clock::now() + bound)) {
      return absl::OkStatus();
    }
    return absl::UnavailableError(
        absl::StrCat("could not connect to ", address_, " within ", bound.count(),
                     " ms: is a gRPC server listening there",
                     creds_ == nullptr ? "" : " (and does --tls match what it speaks)", "?"));
  }

 private:
  std::string address_;
  std::shared_ptr<grpc::ChannelCredentials> creds_;
  TlsOptions tls_;
  std::string token_;
  std::string what_;
  std::shared_ptr<grpc::Channel> channel_;
};

class ProcessTarget final : public RemoteTarget, public ProcessControl {
 public:
  ProcessTarget(std::unique_ptr<ChildProcess> child, std::string line, std::string address,
                std::string token)
      : RemoteTarget(address, grpc::InsecureChannelCredentials(), TlsOptions{}, std::move(token),
                     absl::StrCat("pid ", child->pid(), " on ", address)),
        child_(std::move(child)),
        line_(std::move(line)) {}

  ProcessControl* Process() override { return this; }
  std::string ListeningLine() const override { return line_; }
  std::string StderrTail() const override { return child_->StderrTail(); }
  std::optional<int> Threads() const override { return child_->GroupThreads(); }
  std::optional<std::string> EndedHow(std::chrono::milliseconds within) override {
    std::string how;
    if (child_->WaitExit(within, &how)) return how;
    return std::nullopt;
  }
  std::optional<int> TerminateAndWait(std::chrono::milliseconds bound, std::string* how) override {
    child_->Signal(SIGTERM);
    std::optional<int> code = child_->WaitExit(bound, how);
    if (!code) {
      *how = absl::StrCat("still running ", bound.count(), " ms after SIGTERM; killed");
      child_->KillGroup();
    }
    return code;
  }

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string line_;
};

// The end of a start-up failure message: what the server said on stderr.
std::string StderrNote(const ChildProcess& child) {
  const std::string tail = child.StderrTail();
  if (tail.empty()) return " It wrote nothing on stderr.";
  return absl::StrCat(" Last lines of its stderr:\n", tail);
}

}  // namespace

namespace {

// The reference server listening on `listen` ("" for in-process only).
absl::StatusOr<std::unique_ptr<Target>> StartReference(const std::string& listen,
                                                       const std::string& token, int seed,
                                                       bool interop) {
  service::ServerOptions options;
  options.listen = listen;
  options.interop = interop;
  options.token = token;
  options.seed = seed;
  auto server = service::ReferenceServer::Start(options);
  if (!server.ok()) return server.status();
  return std::make_unique<ReferenceTarget>(std::move(*server), token);
}

}  // namespace

absl::StatusOr<std::unique_ptr<Target>> MakeInProcessReference(const std::string& token, int seed) {
  return StartReference("", token, seed, false);
}

absl::StatusOr<std::unique_ptr<Target>> MakeLoopbackReference(const std::string& token, int seed) {
  return StartReference("127.0.0.1:0", token, seed, false);
}

absl::StatusOr<std::unique_ptr<Target>> MakeInteropReference(bool in_process,
                                                             const std::string& token) {
  return StartReference(in_process ? "" : "127.0.0.1:0", token, 0, true);
}

absl::StatusOr<std::unique_ptr<Target>> MakeRemoteTarget(const std::string& address,
                                                         const TlsOptions& tls,
                                                         const std::string& token,
                                                         std::chrono::milliseconds ready_within) {
  std::string error;
  auto creds = Credentials(tls, &error);
  if (creds == nullptr) return absl::InvalidArgumentError(error);
  auto target = std::make_unique<RemoteTarget>(
      address, creds, tls, token, absl::StrCat(address, tls.enabled ? " (TLS)" : " (plaintext)"));
  if (absl::Status ready = target->WaitReady(ready_within); !ready.ok()) {
    return ready;
  }
  return target;
}

absl::StatusOr<std::unique_ptr<Target>> MakeProcessTarget(const std::string& command,
                                                          const std::string& token,
                                                          std::chrono::milliseconds start_within) {
  return MakeProcessTarget(command, token, start_within, ChildLimits{});
}

absl::StatusOr<std::unique_ptr<Target>> MakeProcessTarget(const std::string& command,
                                                          const std::string& token,
                                                          std::chrono::milliseconds start_within,
                                                          const ChildLimits& limits) {
  std::string full = command;
  if (full.find("--listen") == std::string::npos) full += " --listen 127.0.0.1:0";
  // exec replaces the shell, so the server is the group leader we signal.
  auto child = ChildProcess::Spawn({"/bin/sh", "-c", "exec " + full}, limits);
  if (!child.ok()) return child.status();
  std::optional<std::string> line = (*child)->ReadLine(start_within);
  std::string how;
  if (!line) {
    if ((*child)->WaitExit(std::chrono::milliseconds(200), &how)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "the server ", how, " before it printed `listening on HOST:PORT`.", StderrNote(**child)));
    }
    return absl::DeadlineExceededError(
        absl::StrCat("the server did not print `listening on HOST:PORT` within ",
                     start_within.count(), " ms.", StderrNote(**child)));
  }
  const std::string prefix = "listening on ";
  if (line->rfind(prefix, 0) != 0 || line->find(':') == std::string::npos) {
    return absl::FailedPreconditionError(
        absl::StrCat("the server's first stdout line should be `listening on HOST:PORT` ",
                     "(rule S4); it was: ", *line));
  }
  std::string address = line->substr(prefix.size());
  auto target = std::make_unique<ProcessTarget>(std::move(*child), *line, address, token);
  if (absl::Status ready = target->WaitReady(start_within); !ready.ok()) {
    return ready;
  }
  return target;
}

}  // namespace course::harness
