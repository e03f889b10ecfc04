#include "cli/target_flags.h"

#include <filesystem>

#include "absl/strings/str_cat.h"
#include "core/interop_target.h"

namespace course::cli {

namespace {

constexpr char kDefaultToken[] = "course-token";

// The reference server binary next to this one in the build tree.
std::string ReferenceBinary() {
  std::error_code ignored;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  std::filesystem::path candidate =
      self.parent_path().parent_path() / "reference" / "course-reference-server";
  return std::filesystem::exists(candidate) ? candidate.string() : "";
}

}  // namespace

void TargetFlags::AddTo(CLI::App* app) {
  app->add_option("--target", target, "HOST:PORT (or unix:PATH) of a running server");
  app->add_option("--server-cmd", server_cmd,
                  "a command that starts the server (`--listen 127.0.0.1:0` is appended)")
      ->excludes(app->get_option("--target"));
  app->add_option("--token", token, "the token the server wants for CreateUsers (M2)");
  app->add_flag("--tls", tls, "connect with TLS (ALPN h2)");
  app->add_option("--ca", ca, "PEM file of the CA that signed the server's certificate")
      ->check(CLI::ExistingFile);
  app->add_option("--server-name", server_name, "the name to expect in the certificate");
  app->add_option("--cert", cert, "PEM client certificate chain (with --tls and --key)")
      ->check(CLI::ExistingFile);
  app->add_option("--key", key, "PEM private key of --cert")->check(CLI::ExistingFile);
  app->add_option("--start-timeout-ms", start_timeout_ms,
                  "how long a server may take to start or accept a connection")
      ->check(CLI::Range(100, 120000));
}

absl::StatusOr<std::unique_ptr<harness::Target>> MakeTarget(TargetFlags& flags) {
  if ((!flags.cert.empty() || !flags.key.empty()) && !flags.tls) {
    return absl::InvalidArgumentError("--cert and --key need --tls");
  }
  const auto bound = std::chrono::milliseconds(flags.start_timeout_ms);
  if (!flags.target.empty()) {
    harness::TlsOptions tls{flags.tls, flags.ca, flags.server_name, flags.cert, flags.key};
    return harness::MakeRemoteTarget(flags.target, tls, flags.token, bound);
  }
  if (!flags.server_cmd.empty()) {
    return harness::MakeProcessTarget(flags.server_cmd, flags.token, bound);
  }
  if (flags.token.empty()) flags.token = kDefaultToken;
  const std::string binary = ReferenceBinary();
  if (binary.empty()) {
    return flags.interop ? harness::MakeInteropReference(false, flags.token)
                         : harness::MakeLoopbackReference(flags.token, 0);
  }
  return harness::MakeProcessTarget(absl::StrCat("'", binary, "' --quiet --token ", flags.token,
                                                 flags.interop ? " --interop" : ""),
                                    flags.token, bound);
}

}  // namespace course::cli
