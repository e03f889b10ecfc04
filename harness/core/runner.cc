#include "core/runner.h"

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace course::harness {
namespace {

bool MatchesAny(const std::string& id, const std::vector<std::string>& patterns) {
  for (const std::string& pattern : patterns) {
    if (fnmatch(pattern.c_str(), id.c_str(), 0) == 0) return true;
  }
  return false;
}

std::string RunTag(const std::string& id, std::uint64_t seed) {
  // Short, unique per run and check, and safe inside an email local part.
  const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
  return absl::StrCat(std::hash<std::string>{}(id) % 100000, "x", seed % 100000, "x",
                      now % 1000000007);
}

}  // namespace

bool Selected(const std::string& id, const RunOptions& options) {
  if (!options.only.empty() && !MatchesAny(id, options.only)) return false;
  return !MatchesAny(id, options.skip);
}

int CountSelected(const std::vector<CheckDef>& checks, const RunOptions& options) {
  int selected = 0;
  for (const CheckDef& check : checks) selected += Selected(check.id, options) ? 1 : 0;
  return selected;
}

namespace {

CheckResult ResultFor(const CheckDef& check, const RunOptions& options) {
  CheckResult result;
  result.id = check.id;
  result.rule = check.rule;
  result.area = check.area();
  result.title = check.title;
  result.known_failing = options.known_failing.count(check.id) > 0;
  result.level = check.level;
  return result;
}

// Runs one check in a thread of its own, waiting at most options.check_bound.
// A hung check is abandoned (its thread keeps running until its own RPC
// deadlines end it) so the next check can start.
CheckResult RunCheck(Target& target, const CheckDef& check, const RunOptions& options) {
  CheckResult result = ResultFor(check, options);
  auto context = std::make_shared<CheckContext>(
      target, RunTag(check.id, options.seed), options.seed, options.rpc_deadline, options.service);
  auto body = check.body;
  auto outcome = std::make_shared<std::promise<std::pair<Outcome, Finding>>>();
  std::future<std::pair<Outcome, Finding>> done = outcome->get_future();
  const auto start = std::chrono::steady_clock::now();
  std::thread([context, body, outcome] {
    try {
      body(*context);
      outcome->set_value({Outcome::kPass, {}});
    } catch (const CheckFailed& failed) {
      outcome->set_value({Outcome::kFail, failed.finding()});
    } catch (const CheckSkipped& skipped) {
      Finding finding;
      finding.message = skipped.what();
      outcome->set_value({Outcome::kSkip, finding});
    } catch (const std::exception& error) {
      Finding finding;
      finding.message = absl::StrCat("the check itself failed: ", error.what());
      outcome->set_value({Outcome::kError, finding});
    }
  }).detach();

  if (done.wait_for(options.check_bound) == std::future_status::ready) {
    std::tie(result.outcome, result.finding) = done.get();
    if (result.outcome == Outcome::kFail && check.level != Level::kMust) {
      result.outcome = Outcome::kWarn;
    }
    // A passing check may still have measured something worth showing.
    if (result.outcome == Outcome::kPass) result.finding.message = context->Notes();
  } else {
    result.outcome = Outcome::kFail;
    result.abandoned = true;
    result.finding.message =
        absl::StrCat("the check did not finish within ", options.check_bound.count() / 1000.0,
                     " s: the server never answered one of its calls");
    result.finding.expected = "an answer, or an error, before the call's deadline";
    result.finding.hint = "a handler that blocks forever, or a stream the server never ends";
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

CheckResult NotRun(const CheckDef& check, const RunOptions& options) {
  CheckResult result = ResultFor(check, options);
  result.outcome = Outcome::kFail;
  result.not_run = true;
  result.finding.message = absl::StrCat("not run: the run's time limit of ",
                                        options.run_bound.count() / 1000.0, " s was used up");
  return result;
}

}  // namespace

RunReport RunChecks(Target& target, const std::vector<CheckDef>& checks,
                    const RunOptions& options) {
  RunReport report;
  const auto start = std::chrono::steady_clock::now();
  const bool bounded = options.run_bound.count() > 0;
  for (const CheckDef& check : checks) {
    if (!Selected(check.id, options)) continue;
    const bool late = bounded && std::chrono::steady_clock::now() >= start + options.run_bound;
    report.results.push_back(late ? NotRun(check, options) : RunCheck(target, check, options));
    report.abandoned = report.abandoned || report.results.back().abandoned;
    if (options.on_result) options.on_result(report.results.back());
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

absl::StatusOr<std::set<std::string>> ReadKnownFailing(const std::string& path,
                                                       const std::vector<CheckDef>& checks) {
  std::set<std::string> ids;
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read the known-failing list ", path));
  std::string line;
  while (std::getline(in, line)) {
    absl::string_view text(line);
    if (auto hash = text.find('#'); hash != absl::string_view::npos) {
      text = text.substr(0, hash);
    }
    text = absl::StripAsciiWhitespace(text);
    if (text.empty()) continue;
    const bool known = std::any_of(checks.begin(), checks.end(),
                                   [&](const CheckDef& check) { return check.id == text; });
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("the known-failing list names ", text, ", which is no check"));
    }
    ids.insert(std::string(text));
  }
  return ids;
}

}  // namespace course::harness
