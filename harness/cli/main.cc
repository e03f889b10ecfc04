// The project's command line.
//
//   course-cli tour                      the reference server, call by call
//   course-cli conform [--target A | --server-cmd CMD] ...
//                                        check a server against the contract
//   course-cli call METHOD JSON ...      make one call by hand
//   course-cli bench [--target A] --rpc GetUser ...
//                                        load a server, report calls/s and latency
//
// Exit codes: 0 pass, 1 fail, 2 could not run.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "bench/load.h"
#include "cli/call.h"
#include "cli/grade.h"
#include "cli/learn.h"
#include "core/check.h"
#include "core/report.h"
#include "core/runner.h"
#include "core/target.h"

int RunTour(std::string token);  // tour.cc

namespace {

using course::harness::Target;

constexpr char kDefaultToken[] = "course-token";

struct TargetFlags {
  std::string target;
  std::string server_cmd;
  std::string token;
  bool tls = false;
  std::string ca;
  std::string server_name;
  int start_timeout_ms = 10000;

  void AddTo(CLI::App* app) {
    app->add_option("--target", target, "HOST:PORT of a running server");
    app->add_option("--server-cmd", server_cmd,
                    "a command that starts the server (`--listen 127.0.0.1:0` is appended)")
        ->excludes(app->get_option("--target"));
    app->add_option("--token", token, "the token the server wants for CreateUsers (M2)");
    app->add_flag("--tls", tls, "connect with TLS (ALPN h2)");
    app->add_option("--ca", ca, "PEM file of the CA that signed the server's certificate")
        ->check(CLI::ExistingFile);
    app->add_option("--server-name", server_name, "the name to expect in the certificate");
    app->add_option("--start-timeout-ms", start_timeout_ms,
                    "how long a server may take to start or accept a connection")
        ->check(CLI::Range(100, 120000));
  }
};

// The reference server binary next to this one in the build tree.
std::string ReferenceBinary() {
  std::error_code ignored;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ignored);
  std::filesystem::path candidate =
      self.parent_path().parent_path() / "reference" / "course-reference-server";
  return std::filesystem::exists(candidate) ? candidate.string() : "";
}

absl::StatusOr<std::unique_ptr<Target>> MakeTarget(TargetFlags& flags) {
  const auto bound = std::chrono::milliseconds(flags.start_timeout_ms);
  if (!flags.target.empty()) {
    course::harness::TlsOptions tls{flags.tls, flags.ca, flags.server_name};
    return course::harness::MakeRemoteTarget(flags.target, tls, flags.token, bound);
  }
  if (!flags.server_cmd.empty()) {
    return course::harness::MakeProcessTarget(flags.server_cmd, flags.token, bound);
  }
  // The built-in default: the reference server as a child process, with a
  // token so that M2 is checked too.
  if (flags.token.empty()) flags.token = kDefaultToken;
  const std::string binary = ReferenceBinary();
  if (binary.empty()) return course::harness::MakeLoopbackReference(flags.token, 0);
  return course::harness::MakeProcessTarget(
      absl::StrCat("'", binary, "' --quiet --token ", flags.token), flags.token, bound);
}

int Fail(const std::string& what) {
  std::cerr << "course: " << what << "\n";
  return 2;
}

int RunConform(TargetFlags& flags, course::harness::RunOptions& options,
               const std::string& known_failing, const std::string& json_path,
               const std::string& junit_path, int total_timeout_s, bool list_only,
               bool quiet = false) {
  const auto& all = course::harness::AllChecks();
  if (list_only) {
    for (const auto& check : all) {
      if (course::harness::Selected(check.id, options)) {
        std::cout << check.id << "  " << check.rule << "  " << check.title << "\n";
      }
    }
    return 0;
  }
  if (!known_failing.empty()) {
    std::string error;
    options.known_failing = course::harness::ReadKnownFailing(known_failing, &error);
    if (!error.empty()) return Fail(error);
    for (const std::string& id : options.known_failing) {
      bool found = false;
      for (const auto& check : all) found = found || check.id == id;
      if (!found)
        return Fail(absl::StrCat("the known-failing list names ", id, ", which is no check"));
    }
  }
  int selected = 0;
  for (const auto& check : all) selected += course::harness::Selected(check.id, options) ? 1 : 0;
  if (selected == 0) return Fail("--only/--skip leave no check to run (see --list)");

  auto target = MakeTarget(flags);
  if (!target.ok()) return Fail(std::string(target.status().message()));
  const bool color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  if (!quiet) {
    std::cout << "Checking " << (*target)->Describe() << " against course.v1 (" << selected
              << " checks, seed " << options.seed << ")\n";
  }

  const auto start = std::chrono::steady_clock::now();
  const auto run_deadline = start + std::chrono::seconds(total_timeout_s);
  std::vector<course::harness::CheckResult> results;
  bool abandoned = false;
  for (const auto& check : all) {
    if (!course::harness::Selected(check.id, options)) continue;
    course::harness::CheckResult result;
    if (std::chrono::steady_clock::now() >= run_deadline) {
      result = {check.id,
                check.rule,
                check.area(),
                check.title,
                course::harness::Outcome::kError,
                {},
                0,
                options.known_failing.count(check.id) > 0};
      result.finding.message =
          absl::StrCat("not run: the whole run's limit of ", total_timeout_s, " s was reached");
    } else {
      result = course::harness::RunCheck(**target, check, options);
      abandoned = abandoned || result.finding.message.rfind("the check did not finish", 0) == 0;
    }
    if (!quiet) course::harness::PrintProgress(std::cout, result, color);
    results.push_back(std::move(result));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto summary = course::harness::Summarize(results, seconds);
  if (quiet) {
    std::cout << "Built-in default, " << (*target)->Describe() << ": " << summary.passed << " of "
              << results.size() << " conformance checks pass, " << summary.warned
              << " SHOULD-level warnings, " << summary.failed << " failed ("
              << static_cast<int>(seconds * 10) / 10.0 << " s; details: ./course conform)\n";
  } else {
    course::harness::PrintSummary(std::cout, results, summary, (*target)->Describe(), color,
                                  options.trace);
  }

  std::string error;
  if (!json_path.empty() &&
      !course::harness::WriteFileAtomically(
          json_path, course::harness::ToJson(results, summary, (*target)->Describe(), options.seed),
          &error)) {
    return Fail(error);
  }
  if (!junit_path.empty() &&
      !course::harness::WriteFileAtomically(
          junit_path, course::harness::ToJunit(results, summary, "course.conform"), &error)) {
    return Fail(error);
  }
  const int code = summary.failed > 0 ? 1 : 0;
  if (abandoned) {
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

int main(int argc, char** argv) {
  CLI::App app{"gRPC course: lessons, conformance checks and benchmarks for course.v1"};
  app.require_subcommand(0, 1);

  TargetFlags conform_flags;
  course::harness::RunOptions options;
  std::string known_failing, json_path, junit_path;
  int total_timeout_s = 300;
  int rpc_deadline_ms = 5000;
  bool list_only = false;
  CLI::App* conform = app.add_subcommand(
      "conform", "check a server against the course contract (the reference by default)");
  conform_flags.AddTo(conform);
  conform->add_option("--only", options.only,
                      "run only checks whose id matches (glob, repeatable)");
  conform->add_option("--skip", options.skip, "skip checks whose id matches (glob, repeatable)");
  conform->add_option("--known-failing", known_failing,
                      "file of check ids expected to fail; one that passes is reported");
  conform->add_option("--json", json_path, "write the results as JSON");
  conform->add_option("--junit", junit_path, "write the results as JUnit XML");
  conform->add_option("--seed", options.seed, "seed for generated data");
  conform->add_option("--rpc-deadline-ms", rpc_deadline_ms, "deadline of ordinary calls")
      ->check(CLI::Range(100, 60000));
  conform->add_option("--timeout", total_timeout_s, "bound on the whole run, in seconds")
      ->check(CLI::Range(1, 3600));
  conform->add_flag("--list", list_only, "list the selected checks and exit");
  conform->add_flag("--trace", options.trace,
                    "print the HTTP/2 frames of failing and warning wire checks");

  TargetFlags call_flags;
  course::cli::CallRequest call_request;
  CLI::App* call =
      app.add_subcommand("call", "make one course.v1 call by hand (JSON in, JSON out)");
  call_flags.AddTo(call);
  call->add_option("method", call_request.method,
                   "GetUser, ListUsers, CreateUsers, ChatService/Chat, ...")
      ->required();
  call->add_option("json", call_request.json, "the request as JSON (an array for client streams)");
  call->add_option("--request-id", call_request.request_id, "send x-request-id");

  TargetFlags bench_flags;
  course::bench::LoadOptions load_options;
  CLI::App* bench = app.add_subcommand(
      "bench", "load a server with one RPC: calls/s, latency percentiles, status codes");
  bench_flags.AddTo(bench);
  course::bench::AddLoadFlags(bench, &load_options);

  std::string tour_token;
  CLI::App* tour = app.add_subcommand("tour", "start the reference server and call each RPC");
  tour->add_option("--token", tour_token, "the token the reference server wants for CreateUsers");

  course::cli::Paths paths = course::cli::DefaultPaths();
  course::cli::CheckOptions check_options;
  check_options.color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  std::string lesson_id;
  bool no_state = false, force = false;
  CLI::App* status =
      app.add_subcommand("status", "every lesson's status and the next step (the default)");
  CLI::App* check = app.add_subcommand("check", "rebuild and check a lesson's exercise");
  check->add_option("lesson", lesson_id, "NN; default: the first lesson not passing");
  check->add_option("--side", check_options.side, "exercise or solution")
      ->check(CLI::IsMember({"exercise", "solution"}));
  check->add_flag("!--no-build", check_options.build, "do not rebuild first");
  check->add_flag("--no-state", no_state, "do not record the result in .course/state.json");
  check->add_option("--exercises", paths.exercises, "a folder laid out like exercises/");
  check->add_option("--seed", check_options.seed, "seed for generated data");
  CLI::App* watch = app.add_subcommand("watch", "re-check a lesson whenever its files are saved");
  watch->add_option("lesson", lesson_id, "NN");
  CLI::App* hint = app.add_subcommand("hint", "one more hint for a lesson");
  hint->add_option("lesson", lesson_id, "NN")->required();
  CLI::App* quiz = app.add_subcommand("quiz", "a lesson's quiz and how your answers stand");
  quiz->add_option("lesson", lesson_id, "NN")->required();
  CLI::App* solution = app.add_subcommand("solution", "show a lesson's solution (once it passes)");
  solution->add_option("lesson", lesson_id, "NN")->required();
  solution->add_flag("--force", force, "show it even if the lesson does not pass yet");
  CLI::App* reset =
      app.add_subcommand("reset", "restore a lesson's exercise (your files are backed up)");
  reset->add_option("lesson", lesson_id, "NN")->required();
  CLI::App* lint = app.add_subcommand("lessons-lint", "check that every lesson has all its parts");

  course::cli::GradeOptions grade_options;
  std::uint64_t grade_seed = 0;
  int build_budget_s = 180, lesson_budget_s = 120;
  CLI::App* grade = app.add_subcommand(
      "grade", "grade one submission (a folder like exercises/, or a .tar.gz of one)");
  grade->add_option("submission", grade_options.submission, "the submission")->required();
  grade->add_option("--lesson", grade_options.lessons, "grade only these lessons (repeatable)");
  grade->add_option("--json", grade_options.json, "our own JSON report");
  grade->add_option("--junit", grade_options.junit, "JUnit XML");
  grade->add_option("--gradescope", grade_options.gradescope, "Gradescope results.json");
  grade->add_option("--exercism", grade_options.exercism, "Exercism results.json (version 3)");
  CLI::Option* seed_option =
      grade->add_option("--seed", grade_seed, "replay a grading with its seed");
  grade->add_option("--build-budget", build_budget_s, "seconds to compile one lesson")
      ->check(CLI::Range(5, 3600));
  grade->add_option("--lesson-budget", lesson_budget_s, "seconds to check one lesson")
      ->check(CLI::Range(5, 3600));
  grade->add_option("--uid", grade_options.uid, "the uid submissions run as (when root)")
      ->check(CLI::Range(1000, 65533));
  grade->add_flag("--quiet", grade_options.quiet, "only the final score line");
  grade->add_flag("--preflight,!--no-preflight", grade_options.preflight,
                  "first grade the course's own solutions the same way, and stop (exit 2) when "
                  "they fall short (default; grade-all checks once and passes --no-preflight)");
  std::string grade_all_dir, grade_all_out;
  int grade_jobs = 1;
  CLI::App* grade_all = app.add_subcommand(
      "grade-all", "grade every submission in a folder, in parallel, into a gradebook");
  grade_all->add_option("dir", grade_all_dir, "one folder or archive per submission")
      ->required()
      ->check(CLI::ExistingDirectory);
  grade_all->add_option("-j,--jobs", grade_jobs, "submissions graded at once")
      ->check(CLI::Range(1, 16));
  grade_all->add_option("--out", grade_all_out,
                        "where reports and the gradebook go (default: DIR/../graded)");
  grade_all->add_option("--lesson", grade_options.lessons, "grade only these lessons (repeatable)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "course: " << e.what() << " (try --help)\n";
    return 2;
  }
  options.rpc_deadline = std::chrono::milliseconds(rpc_deadline_ms);

  if (conform->parsed()) {
    return RunConform(conform_flags, options, known_failing, json_path, junit_path, total_timeout_s,
                      list_only);
  }
  if (call->parsed()) {
    if (call_flags.target.empty() && call_flags.server_cmd.empty()) {
      call_flags.target = "127.0.0.1:50051";
    }
    auto target = MakeTarget(call_flags);
    if (!target.ok()) return Fail(std::string(target.status().message()));
    call_request.token = call_flags.token;
    return course::cli::MakeCall((*target)->Channel(), call_request, std::cout, std::cerr);
  }
  if (bench->parsed()) {
    auto target = MakeTarget(bench_flags);
    if (!target.ok()) return Fail(std::string(target.status().message()));
    return course::bench::RunLoad(**target, load_options, std::cout, std::cerr);
  }
  if (tour->parsed()) return RunTour(tour_token);
  if (grade->parsed() || grade_all->parsed()) {
    if (seed_option->count() > 0) grade_options.seed = grade_seed;
    grade_options.build_budget = std::chrono::seconds(build_budget_s);
    grade_options.lesson_budget = std::chrono::seconds(lesson_budget_s);
    paths.state.clear();
    if (grade->parsed()) return course::cli::GradeCommand(paths, grade_options);
    return course::cli::GradeAllCommand(paths, grade_all_dir, grade_all_out, grade_jobs,
                                        grade_options);
  }
  if (no_state) paths.state.clear();
  if (check->parsed()) return course::cli::CheckCommand(paths, lesson_id, check_options);
  if (watch->parsed()) return course::cli::WatchCommand(paths, lesson_id, check_options);
  if (hint->parsed()) return course::cli::HintCommand(paths, lesson_id);
  if (quiz->parsed()) return course::cli::QuizCommand(paths, lesson_id);
  if (solution->parsed()) return course::cli::SolutionCommand(paths, lesson_id, force);
  if (reset->parsed()) return course::cli::ResetCommand(paths, lesson_id);
  if (lint->parsed()) return course::cli::LintCommand(paths);
  // No subcommand (or `status`): the course's status screen, then the
  // built-in default job, a conformance run of the reference server.
  const int code = course::cli::StatusCommand(paths);
  if (status->parsed() || code != 0) return code;
  std::cout << "\n";
  TargetFlags reference;
  course::harness::RunOptions quiet_options;
  return RunConform(reference, quiet_options, "", "", "", 120, false, /*quiet=*/true);
}
