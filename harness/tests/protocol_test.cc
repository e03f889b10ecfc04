// The protocol suite against the reference, in-process (no socket: the wire
// checks skip) and over loopback TCP: every MUST check passes. The suite's
// registry: stable, unique ids under `protocol.`, each citing its document.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "core/child_process.h"
#include "core/runner.h"
#include "core/target.h"
#include "service/server.h"
#include "suites/suites.h"

namespace course::harness {
namespace {

void ExpectEveryMustPasses(Target& target) {
  RunOptions options;
  options.seed = 11;
  options.check_bound = std::chrono::seconds(20);
  const RunReport report = RunChecks(target, ProtocolChecks(), options);
  int passed = 0;
  for (const CheckResult& result : report.results) {
    passed += result.outcome == Outcome::kPass ? 1 : 0;
    EXPECT_NE(result.outcome, Outcome::kFail)
        << result.id << ": " << result.finding.message << "\nsent:\n"
        << result.finding.sent << "\ngot:\n"
        << result.finding.received;
    EXPECT_NE(result.outcome, Outcome::kError) << result.id << ": " << result.finding.message;
  }
  EXPECT_GT(passed, 10);
}

TEST(ProtocolSuite, ReferenceInProcessPassesEveryMustCheck) {
  auto target = MakeInProcessReference("", 0);
  ASSERT_TRUE(target.ok()) << target.status().message();
  ExpectEveryMustPasses(**target);
}

TEST(ProtocolSuite, ReferenceOnLoopbackPassesEveryMustCheck) {
  auto target = MakeLoopbackReference("", 0);
  ASSERT_TRUE(target.ok()) << target.status().message();
  ExpectEveryMustPasses(**target);
}

// The wire checks that a plaintext-only client would skip, over TLS (ALPN
// h2, the certificate checked) and over a Unix domain socket.
void ExpectWireChecksPass(Target& target) {
  RunOptions options;
  options.only = {"protocol.wire.*", "protocol.connection.*", "protocol.unimplemented.*"};
  const RunReport report = RunChecks(target, ProtocolChecks(), options);
  ASSERT_GT(report.results.size(), 10u);
  for (const CheckResult& result : report.results) {
    EXPECT_EQ(result.outcome, Outcome::kPass) << result.id << ": " << result.finding.message;
  }
}

TEST(ProtocolSuite, WireChecksRunOverTls) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("course-protocol-tls-" + std::to_string(getpid()));
  fs::create_directories(dir);
  auto openssl = ChildProcess::Spawn(
      {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
       "/CN=course.test", "-addext", "subjectAltName=DNS:course.test", "-keyout",
       (dir / "key.pem").string(), "-out", (dir / "cert.pem").string()});
  ASSERT_TRUE(openssl.ok()) << openssl.status().message();
  ASSERT_EQ((*openssl)->WaitExit(std::chrono::seconds(60)), 0) << (*openssl)->StderrTail();
  service::ServerOptions server_options;
  server_options.listen = "127.0.0.1:0";
  server_options.tls_cert_file = (dir / "cert.pem").string();
  server_options.tls_key_file = (dir / "key.pem").string();
  auto server = service::ReferenceServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status().message();
  TlsOptions tls{true, (dir / "cert.pem").string(), "course.test", "", ""};
  auto target = MakeRemoteTarget((*server)->address(), tls, "", std::chrono::seconds(10));
  ASSERT_TRUE(target.ok()) << target.status().message();
  ExpectWireChecksPass(**target);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

TEST(ProtocolSuite, WireChecksRunOverAUnixSocket) {
  const std::string path = (std::filesystem::temp_directory_path() /
                            ("course-protocol-" + std::to_string(getpid()) + ".sock"))
                               .string();
  service::ServerOptions server_options;
  server_options.listen = "unix:" + path;
  auto server = service::ReferenceServer::Start(server_options);
  ASSERT_TRUE(server.ok()) << server.status().message();
  auto target = MakeRemoteTarget("unix:" + path, TlsOptions{}, "", std::chrono::seconds(10));
  ASSERT_TRUE(target.ok()) << target.status().message();
  ExpectWireChecksPass(**target);
  std::filesystem::remove(path);
}

TEST(ProtocolSuite, IdsAreUniqueUnderProtocolAndCiteTheirSpec) {
  std::set<std::string> seen;
  for (const CheckDef& check : ProtocolChecks()) {
    EXPECT_TRUE(seen.insert(check.id).second) << "duplicate id " << check.id;
    EXPECT_EQ(check.area(), "protocol") << check.id;
    EXPECT_FALSE(check.rule.empty()) << check.id;
    EXPECT_FALSE(check.title.empty()) << check.id;
  }
  const std::vector<CheckDef> checks = ProtocolChecks();
  ASSERT_FALSE(checks.empty());
  EXPECT_TRUE(checks.back().stops_server) << "the check that stops the server comes last";
}

TEST(Suites, AreFoundByName) {
  ASSERT_NE(FindSuite("course"), nullptr);
  ASSERT_NE(FindSuite("protocol"), nullptr);
  EXPECT_EQ(FindSuite("no-such-suite"), nullptr);
  EXPECT_EQ(AllSuites().front().name, "course");
  EXPECT_EQ(FindSuite("course")->checks().size(), AllChecks().size());
}

}  // namespace
}  // namespace course::harness
