// gRPC's interop cases (suites/interop), run here against the reference
// server with its interop service, in this process and over loopback TCP.
// The same cases run against any interop server through
// `course conform --suite interop`.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <string>

#include "core/interop_target.h"
#include "core/runner.h"
#include "suites/suites.h"

namespace course::harness {
namespace {

Target& SharedTarget(const std::string& kind) {
  static std::map<std::string, std::unique_ptr<Target>> targets;
  auto& target = targets[kind];
  if (target == nullptr) {
    auto made = MakeInteropReference(kind == "InProcess");
    if (!made.ok()) {
      ADD_FAILURE() << "cannot start the reference: " << made.status().message();
      std::abort();
    }
    target = std::move(*made);
  }
  return *target;
}

void ExpectEveryMustCasePasses(const std::string& kind) {
  RunOptions options;
  options.seed = 11;
  RunReport report = RunChecks(SharedTarget(kind), InteropChecks(), options);
  ASSERT_EQ(report.results.size(), InteropChecks().size());
  int warned = 0;
  for (const CheckResult& result : report.results) {
    if (result.outcome == Outcome::kWarn) {
      // Only the CompressedRequest probes: gRPC C++ 1.51 cannot see a
      // request's compression (see reference/interop/test_service.h).
      EXPECT_NE(result.id.find(".probe"), std::string::npos) << result.id;
      ++warned;
      continue;
    }
    EXPECT_EQ(result.outcome, Outcome::kPass)
        << result.id << ": " << result.finding.message << "\nsent:\n"
        << result.finding.sent << "\ngot:\n"
        << result.finding.received << "\nexpected: " << result.finding.expected;
  }
  EXPECT_EQ(warned, 2);
}

TEST(InteropSuite, ReferencePassesEveryMustCaseInProcess) {
  ExpectEveryMustCasePasses("InProcess");
}

TEST(InteropSuite, ReferencePassesEveryMustCaseOverLoopback) {
  ExpectEveryMustCasePasses("Loopback");
}

TEST(InteropSuite, EveryCaseHasAnIdOfItsSectionAndATitle) {
  for (const CheckDef& check : InteropChecks()) {
    EXPECT_EQ(check.id.rfind("interop.", 0), 0u) << check.id;
    EXPECT_EQ(check.id.substr(8, check.rule.size()), check.rule) << check.id;
    EXPECT_FALSE(check.title.empty()) << check.id;
  }
}

}  // namespace
}  // namespace course::harness
