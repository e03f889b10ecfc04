// The one engine that runs checks: conform, the lesson checks, grading and
// the tests all come through RunChecks. It selects checks, bounds each one
// and the whole run in time, applies the known-failing list and the levels,
// and reports each result as it finishes.
#ifndef COURSE_HARNESS_CORE_RUNNER_H_
#define COURSE_HARNESS_CORE_RUNNER_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
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
  // The check outlived its bound: it failed, and its thread may still be
  // calling the target until that call's own deadline.
  bool abandoned = false;
  bool not_run = false;  // the run's time was used up before it started
};

struct RunOptions {
  std::vector<std::string> only;  // glob patterns over ids; empty: all
  std::vector<std::string> skip;  // glob patterns over ids
  std::set<std::string> known_failing;
  std::uint64_t seed = 1;
  std::chrono::milliseconds rpc_deadline{5000};
  // A check still running after this fails ("did not finish within N s").
  std::chrono::milliseconds check_bound{30000};
  // Checks not started within this fail as not run; zero: no bound.
  std::chrono::milliseconds run_bound{0};
  std::function<void(const CheckResult&)> on_result;  // called as they finish
  bool trace = false;  // --trace: show the HTTP/2 frames of failing wire checks
  // What the protocol suite is told about the service; null: nothing.
  std::shared_ptr<const ServiceOptions> service;
};

struct RunReport {
  std::vector<CheckResult> results;  // in the order of the checks given
  double seconds = 0;
  bool abandoned = false;  // some check's thread may still be running
};

// Whether `id` is selected by the only/skip patterns.
bool Selected(const std::string& id, const RunOptions& options);
// How many of `checks` the options select.
int CountSelected(const std::vector<CheckDef>& checks, const RunOptions& options);

// Runs the selected checks one after another, each in a thread of its own
// bounded by options.check_bound. A check cut off by its bound, or never
// started because the run's bound passed, is a failure of the server under
// test; the engine itself never fails a run.
RunReport RunChecks(Target& target, const std::vector<CheckDef>& checks, const RunOptions& options);

// Reads a known-failing list: one check id per line; `#` starts a comment.
// Every id must name one of `checks`, so the list cannot silently rot.
absl::StatusOr<std::set<std::string>> ReadKnownFailing(const std::string& path,
                                                       const std::vector<CheckDef>& checks);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_RUNNER_H_
