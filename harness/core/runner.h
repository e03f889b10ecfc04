// Runs checks against a target, each bounded in time, and collects results.
#ifndef COURSE_HARNESS_CORE_RUNNER_H_
#define COURSE_HARNESS_CORE_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/check.h"

namespace course::harness {

struct CheckResult {
  std::string id;
  std::string rule;
  std::string area;
  std::string title;
  Outcome outcome = Outcome::kError;
  Finding finding;  // for fail and error; message only for skip
  double seconds = 0;
  bool known_failing = false;  // listed in --known-failing
  Level level = Level::kMust;  // a SHOULD/INFO check that fails is kWarn
};

struct RunOptions {
  std::vector<std::string> only;  // glob patterns over ids; empty: all
  std::vector<std::string> skip;  // glob patterns over ids
  std::set<std::string> known_failing;
  std::uint64_t seed = 1;
  std::chrono::milliseconds rpc_deadline{5000};
  // A check still running after this is abandoned and reported as an error.
  std::chrono::milliseconds check_bound{30000};
  std::function<void(const CheckResult&)> on_result;  // called as they finish
  bool trace = false;  // --trace: show the HTTP/2 frames of failing wire checks
};

// Whether `id` is selected by the only/skip patterns.
bool Selected(const std::string& id, const RunOptions& options);

// Runs one check in a thread of its own, waiting at most options.check_bound.
// A hung check is abandoned (its thread keeps running until its own RPC
// deadlines end it) so the next check can start.
CheckResult RunCheck(Target& target, const CheckDef& check, const RunOptions& options);

std::vector<CheckResult> RunChecks(Target& target, const std::vector<CheckDef>& checks,
                                   const RunOptions& options);

// Reads a known-failing list: one check id per line; `#` starts a comment.
std::set<std::string> ReadKnownFailing(const std::string& path, std::string* error);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_RUNNER_H_
