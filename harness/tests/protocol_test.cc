// The protocol suite against the reference, in-process (no socket: the wire
// checks skip) and over loopback TCP: every MUST check passes. The suite's
// registry: stable, unique ids under `protocol.`, each citing its document.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/runner.h"
#include "core/target.h"
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
