// `course conform`: every check against one server, as people and machines
// read it. The engine (core/runner.h) runs the checks; this file chooses the
// target, prints and writes the reports.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "cli/command.h"
#include "cli/service_flags.h"
#include "cli/target_flags.h"
#include "core/check.h"
#include "core/report.h"
#include "core/runner.h"
#include "course/text.h"
#include "suites/suites.h"

namespace course::cli {

namespace {

struct ConformFlags {
  TargetFlags target;
  ServiceFlags service;
  std::vector<std::string> suites;  // empty: the course suite
  harness::RunOptions run;
  std::string known_failing, json, junit;
  int total_timeout_s = 300;
  int rpc_deadline_ms = 5000;
  bool list_only = false;
  bool one_line = false;  // the built-in default job's summary line
};

int ListChecks(const std::vector<harness::CheckDef>& checks, const harness::RunOptions& run) {
  for (const auto& check : checks) {
    if (harness::Selected(check.id, run)) {
      std::cout << check.id << "  " << check.rule << "  " << check.title << "\n";
    }
  }
  return 0;
}

absl::Status WriteMachineReports(const ConformFlags& flags, const harness::RunReport& report,
                                 const harness::RunSummary& summary, const std::string& target) {
  if (!flags.json.empty()) {
    absl::Status written = harness::WriteFileAtomically(
        flags.json, harness::ToJson(report.results, summary, target, flags.run.seed));
    if (!written.ok()) return written;
  }
  if (!flags.junit.empty()) {
    return harness::WriteFileAtomically(
        flags.junit, harness::ToJunit(report.results, summary, "course.conform"));
  }
  return absl::OkStatus();
}

void PrintOneLine(const harness::RunReport& report, const harness::RunSummary& summary,
                  const std::string& target) {
  std::cout << "Built-in default, " << target << ": " << summary.passed << " of "
            << report.results.size() << " conformance checks pass, " << summary.warned
            << " SHOULD-level warnings, " << summary.failed << " failed ("
            << static_cast<int>(report.seconds * 10) / 10.0 << " s; details: ./course conform)\n";
}

// The checks of the chosen suites, in the order given; checks that stop the
// server go last, so that one suite's SIGTERM does not end another's run.
absl::StatusOr<std::vector<harness::CheckDef>> ChosenChecks(std::vector<std::string>& names) {
  if (names.empty()) names.push_back("course");
  std::vector<harness::CheckDef> checks;
  std::set<std::string> seen;
  for (const std::string& name : names) {
    const harness::SuiteSpec* suite = harness::FindSuite(name);
    if (suite == nullptr) {
      std::vector<std::string> known;
      for (const auto& s : harness::AllSuites()) known.push_back(s.name + ": " + s.summary);
      return absl::InvalidArgumentError(absl::StrCat(
          "no suite called '", name, "'; the suites are:\n  ", absl::StrJoin(known, "\n  ")));
    }
    if (!seen.insert(name).second) continue;  // named twice
    std::vector<harness::CheckDef> more = suite->checks();
    checks.insert(checks.end(), more.begin(), more.end());
  }
  std::stable_partition(checks.begin(), checks.end(),
                        [](const harness::CheckDef& check) { return !check.stops_server; });
  return checks;
}

std::string Against(const std::vector<std::string>& suites) {
  if (suites.size() == 1 && suites.front() == "course") return "course.v1";
  return absl::StrCat("the ", absl::StrJoin(suites, ", "), " suite", suites.size() > 1 ? "s" : "");
}

int RunConform(ConformFlags& flags) {
  auto chosen = ChosenChecks(flags.suites);
  // The default reference serves gRPC's test service only when asked.
  for (const std::string& name : flags.suites) {
    if (name == "interop") flags.target.interop = true;
  }
  if (!chosen.ok()) return CouldNotRun(std::string(chosen.status().message()));
  const std::vector<harness::CheckDef>& all = *chosen;
  flags.run.rpc_deadline = std::chrono::milliseconds(flags.rpc_deadline_ms);
  flags.run.run_bound = std::chrono::seconds(flags.total_timeout_s);
  if (flags.list_only) return ListChecks(all, flags.run);
  auto service = MakeServiceOptions(flags.service);
  if (!service.ok()) return CouldNotRun(std::string(service.status().message()));
  flags.run.service = *std::move(service);
  if (!flags.known_failing.empty()) {
    auto listed = harness::ReadKnownFailing(flags.known_failing, all);
    if (!listed.ok()) return CouldNotRun(std::string(listed.status().message()));
    flags.run.known_failing = *std::move(listed);
  }
  const int selected = harness::CountSelected(all, flags.run);
  if (selected == 0) return CouldNotRun("--only/--skip leave no check to run (see --list)");
  auto target = MakeTarget(flags.target);
  if (!target.ok()) return CouldNotRun(std::string(target.status().message()));
  const std::string where = (*target)->Describe();
  const bool color = lessons::ColorTerminal();
  if (!flags.one_line) {
    std::cout << "Checking " << where << " against " << Against(flags.suites) << " (" << selected
              << " checks, seed " << flags.run.seed << ")\n";
    flags.run.on_result = [color](const harness::CheckResult& result) {
      harness::PrintProgress(std::cout, result, color);
    };
  }
  const harness::RunReport report = harness::RunChecks(**target, all, flags.run);
  const auto summary = harness::Summarize(report.results, report.seconds);
  if (flags.one_line) {
    PrintOneLine(report, summary, where);
  } else {
    harness::PrintSummary(std::cout, report.results, summary, where, color, flags.run.trace);
  }
  if (absl::Status written = WriteMachineReports(flags, report, summary, where); !written.ok()) {
    return CouldNotRun(std::string(written.message()));
  }
  const int code = summary.failed > 0 ? 1 : 0;
  if (report.abandoned) {
    // A check thread is still running against the target: stop the server
    // and leave without running destructors under its feet.
    if (auto* process = (*target)->Process()) {
      std::string how;
      process->TerminateAndWait(std::chrono::milliseconds(200), &how);
    }
    std::cout.flush();
    std::_Exit(code);
  }
  return code;
}

}  // namespace

int CouldNotRun(const std::string& what) {
  std::cerr << "course: " << what << "\n";
  return 2;
}

void AddConformCommand(CLI::App& app, Commands& commands) {
  auto flags = std::make_shared<ConformFlags>();
  CLI::App* conform = app.add_subcommand(
      "conform", "check a server against the course contract (the reference by default)");
  flags->target.AddTo(conform);
  conform->add_option("--suite", flags->suites,
                      "which checks: course (the default), protocol (any gRPC service), "
                      "interop (gRPC's test service); repeatable");
  flags->service.AddTo(conform);
  conform->add_option("--only", flags->run.only,
                      "run only checks whose id matches (glob, repeatable)");
  conform->add_option("--skip", flags->run.skip, "skip checks whose id matches (glob, repeatable)");
  conform->add_option("--known-failing", flags->known_failing,
                      "file of check ids expected to fail; one that passes is reported");
  conform->add_option("--json", flags->json, "write the results as JSON");
  conform->add_option("--junit", flags->junit, "write the results as JUnit XML");
  conform->add_option("--seed", flags->run.seed, "seed for generated data");
  conform->add_option("--rpc-deadline-ms", flags->rpc_deadline_ms, "deadline of ordinary calls")
      ->check(CLI::Range(100, 60000));
  conform->add_option("--timeout", flags->total_timeout_s, "bound on the whole run, in seconds")
      ->check(CLI::Range(1, 3600));
  conform->add_flag("--list", flags->list_only, "list the selected checks and exit");
  conform->add_flag("--trace", flags->run.trace,
                    "print the HTTP/2 frames of failing and warning wire checks");
  commands.push_back({conform, [flags] { return RunConform(*flags); }});
}

int ConformReferenceInOneLine() {
  ConformFlags flags;
  flags.total_timeout_s = 120;
  flags.one_line = true;
  return RunConform(flags);
}

}  // namespace course::cli
