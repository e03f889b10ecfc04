// The harness reaches a server over TLS (ALPN h2) with --tls, --ca and
// --server-name, and refuses one whose certificate does not match.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/child_process.h"
#include "core/runner.h"
#include "core/target.h"
#include "service/server.h"

namespace course::harness {
namespace {

namespace fs = std::filesystem;

class TlsTarget : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = fs::temp_directory_path() / ("course-tls-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    // A self-signed certificate for the name course.test, valid for a day.
    auto openssl = ChildProcess::Spawn(
        {"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
         "/CN=course.test", "-addext", "subjectAltName=DNS:course.test", "-keyout",
         (dir_ / "key.pem").string(), "-out", (dir_ / "cert.pem").string()});
    ASSERT_TRUE(openssl.ok()) << openssl.status().message();
    std::string how;
    ASSERT_EQ((*openssl)->WaitExit(std::chrono::seconds(60), &how), 0)
        << how << (*openssl)->StderrTail();
    service::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.tls_cert_file = (dir_ / "cert.pem").string();
    options.tls_key_file = (dir_ / "key.pem").string();
    auto server = service::ReferenceServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(*server).release();
  }
  static void TearDownTestSuite() {
    delete server_;
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  static inline fs::path dir_;
  static inline service::ReferenceServer* server_ = nullptr;
};

TEST_F(TlsTarget, ChecksPassOverTlsWithTheRightCaAndName) {
  TlsOptions tls{true, (dir_ / "cert.pem").string(), "course.test", "", ""};
  auto target = MakeRemoteTarget(server_->address(), tls, "", std::chrono::seconds(10));
  ASSERT_TRUE(target.ok()) << target.status().message();
  RunOptions options;
  options.only = {"unary.*", "stream.list.stops-at-page-size", "chat.echoes-to-sender"};
  auto results = RunChecks(**target, AllChecks(), options).results;
  ASSERT_GE(results.size(), 5u);
  for (const auto& result : results) {
    EXPECT_EQ(result.outcome, Outcome::kPass) << result.id << ": " << result.finding.message;
  }
}

TEST_F(TlsTarget, AWrongServerNameIsACleanCouldNotConnect) {
  TlsOptions tls{true, (dir_ / "cert.pem").string(), "someone-else.test", "", ""};
  auto target = MakeRemoteTarget(server_->address(), tls, "", std::chrono::seconds(3));
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.status().message().find("could not connect"), std::string::npos)
      << target.status().message();
}

TEST_F(TlsTarget, PlaintextAgainstTlsIsACleanCouldNotConnect) {
  auto target = MakeRemoteTarget(server_->address(), TlsOptions{}, "", std::chrono::seconds(3));
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.status().message().find("could not connect"), std::string::npos);
}

}  // namespace
}  // namespace course::harness
