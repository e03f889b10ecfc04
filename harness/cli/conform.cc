// `course conform`: every check against one server, as people and machines
// read it. The engine (core/runner.h) runs the checks; this file chooses the
// target, prints and writes the reports.
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
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
  harness::RunOptions run;
  std::vector<std::string> suites;  // --suite, repeatable; none: "course"
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

// "course.v1", "gRPC's interop cases", or both.
std::string SuitesText(const std::vector<std::string>& suites) {
  std::string text;
  for (const std::string& name : suites) {
    if (!text.empty()) text += " and ";
    text += name == "course" ? "course.v1" : name == "interop" ? "gRPC's interop cases" : name;
  }
  return text;
}

void PrintOneLine(const harness::RunReport& report, const harness::RunSummary& summary,
                  const std::string& target) {
  std::cout << "Built-in default, " << target << ": " << summary.passed << " of "
            << report.results.size() << " conformance checks pass, " << summary.warned
            << " SHOULD-level warnings, " << summary.failed << " failed ("
            << static_cast<int>(report.seconds * 10) / 10.0 << " s; details: ./course conform)\n";
}

std::string SuiteNames() {
  std::string names;
  for (const auto& suite : harness::AllSuites()) {
    absl::StrAppend(&names, "\n  ", suite.name, "  ", suite.summary);
  }
  return names;
}

// The checks of every suite named with --suite, in the order named (each
// suite once); "course" when none is named.
absl::StatusOr<std::vector<harness::CheckDef>> ChosenChecks(ConformFlags& flags) {
  if (flags.suites.empty()) flags.suites.push_back("course");
  std::vector<harness::CheckDef> checks;
  std::vector<std::string> seen;
  for (const std::string& name : flags.suites) {
    const harness::SuiteSpec* suite = harness::FindSuite(name);
    if (suite == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("no suite named \"", name, "\"; the suites are:", SuiteNames()));
    }
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) continue;
    seen.push_back(name);
    if (name == "interop") flags.target.interop = true;
    auto more = suite->checks();
    checks.insert(checks.end(), more.begin(), more.end());
  }
  return checks;
}

int RunConform(ConformFlags& flags) {
  auto chosen = ChosenChecks(flags);
  if (!chosen.ok()) return CouldNotRun(std::string(chosen.status().message()));
  const std::vector<harness::CheckDef>& all = *chosen;
  flags.run.rpc_deadline = std::chrono::milliseconds(flags.rpc_deadline_ms);
  flags.run.run_bound = std::chrono::seconds(flags.total_timeout_s);
  if (flags.list_only) return ListChecks(all, flags.run);
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
    std::cout << "Checking " << where << " against " << SuitesText(flags.suites) << " (" << selected
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
                      "the suite to run: course (the default) or interop; repeatable");
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
