#include "course/lesson_check.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "core/check.h"
#include "core/report.h"
#include "core/runner.h"
#include "core/target.h"
#include "course/quiz.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kLessonToken[] = "lesson-token";
// Where the "try it" command of a failure starts the lesson's server again:
// the server the checks ran against is gone by the time the learner reads it.
constexpr char kTryAddress[] = "127.0.0.1:50052";

// A command that still works after the check: `./course call` starts the
// lesson's server itself; any other command (grpcurl) gets the line that
// starts the server on a fixed port first.
std::string LastingReproduce(const std::string& reproduce, const std::string& address,
                             const std::string& binary) {
  if (address.empty() || reproduce.find(address) == std::string::npos) return reproduce;
  const std::string call = absl::StrCat("./course call --target ", address, " ");
  if (reproduce.rfind(call, 0) == 0) {
    return absl::StrCat("./course call --token ", kLessonToken, " --server-cmd \"'", binary,
                        "' --token ", kLessonToken, "\" ", reproduce.substr(call.size()));
  }
  return absl::StrCat("'", binary, "' --listen ", kTryAddress, " --token ", kLessonToken,
                      " &   # then:\n        ",
                      absl::StrReplaceAll(reproduce, {{address, kTryAddress}}));
}

// The failure as the lesson report shows it: the check, its rule, then the
// same finding text as `conform` prints, indented under it.
std::string TaskFailure(const harness::CheckResult& check, const std::string& address,
                        const std::string& binary) {
  harness::Finding finding = check.finding;
  finding.reproduce = LastingReproduce(finding.reproduce, address, binary);
  std::string details = harness::FindingText(finding);
  std::string text = absl::StrCat(check.id, " (", check.rule, "): ");
  std::size_t line_start = 0;
  for (std::size_t at = details.find('\n'); at != std::string::npos;
       at = details.find('\n', line_start)) {
    absl::StrAppend(&text, line_start == 0 ? "" : "      ",
                    details.substr(line_start, at - line_start), "\n");
    line_start = at + 1;
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

void RunServerChecks(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
                     LessonResult& result) {
  std::vector<std::string> patterns;
  for (const auto& task : lesson.tasks) {
    patterns.insert(patterns.end(), task.checks.begin(), task.checks.end());
  }
  if (patterns.empty()) return;
  const std::string binary =
      absl::StrCat(paths.build, "/lessons/lesson-", lesson.id, "-", options.side);
  const auto starting = std::chrono::steady_clock::now();
  auto target = harness::MakeProcessTarget(absl::StrCat("'", binary, "' --token ", kLessonToken),
                                           kLessonToken, std::chrono::seconds(10), options.limits);
  result.server_start_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - starting).count();
  if (!target.ok()) {
    result.ran = false;
    result.problem = absl::StrCat("the lesson's server did not start: ", target.status().message());
    return;
  }
  harness::RunOptions run;
  run.only = patterns;
  run.seed = options.seed;
  run.rpc_deadline = std::chrono::milliseconds(3000);
  run.check_bound = options.check_bound;
  run.run_bound = options.lesson_bound;
  const harness::RunReport report = harness::RunChecks(**target, harness::AllChecks(), run);
  const std::string address = (*target)->Address();
  if (auto* process = (*target)->Process(); process != nullptr) {
    // Did the server die under the checks? Say so: it explains the failures.
    // After a failure, give a server killed by a limit a moment to be reaped.
    const bool failed =
        std::any_of(report.results.begin(), report.results.end(), [](const auto& r) {
          return r.outcome != harness::Outcome::kPass && r.outcome != harness::Outcome::kSkip;
        });
    const auto wait = std::chrono::milliseconds(failed ? 2000 : 0);
    if (std::optional<std::string> how = process->EndedHow(wait)) {
      result.server_note =
          absl::StrCat("the server ", *how, " during the checks; last lines of its stderr:\n",
                       process->StderrTail());
    }
  }
  for (auto& task_result : result.tasks) {
    const Task& task = *task_result.task;
    if (task.checks.empty()) continue;
    bool any = false;
    for (const harness::CheckResult& check : report.results) {
      if (!MatchesAny(check.id, task.checks)) continue;
      any = true;
      if (check.outcome == harness::Outcome::kPass || check.outcome == harness::Outcome::kSkip) {
        continue;
      }
      task_result.failures.push_back(TaskFailure(check, address, binary));
    }
    if (!any) {
      task_result.failures.push_back("no conformance check matches this task (manifest error)");
    }
  }
}

// Suite.Test -> its failure messages ("" when it passed), from gtest's JSON.
std::map<std::string, std::string> TestOutcomes(const json& parsed) {
  std::map<std::string, std::string> failures;
  for (const auto& suite : parsed.value("testsuites", json::array())) {
    for (const auto& test : suite.value("testsuite", json::array())) {
      const std::string name = suite.value("name", "") + "." + test.value("name", "");
      std::string message;
      for (const auto& failure : test.value("failures", json::array())) {
        message += failure.value("failure", "") + "\n";
      }
      failures[name] = message;
    }
  }
  return failures;
}

void RunTests(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
              LessonResult& result) {
  bool wanted = false;
  for (const auto& task : lesson.tasks) wanted = wanted || !task.tests.empty();
  if (!wanted) return;
  const std::string binary =
      absl::StrCat(paths.build, "/lessons/lesson-", lesson.id, "-", options.side, "-tests");
  // In the binary's own folder: a test run under a grading uid can write there.
  const fs::path report = fs::path(binary).parent_path() /
                          absl::StrCat("course-", getpid(), "-", lesson.id, "-tests.json");
  // Tests that start the lesson's server must use this side's (and, when
  // grading, the submission's) build of it: see lessons/kit/lesson_server.h.
  const harness::RunResult run = harness::RunToEnd(
      {binary, "--gtest_output=json:" + report.string(),
       absl::StrCat("--gtest_random_seed=", options.seed % 99999)},
      std::min<std::chrono::seconds>(options.lesson_bound, std::chrono::seconds(120)),
      options.limits, "",
      {absl::StrCat("COURSE_LESSON_SERVER=", paths.build, "/lessons/lesson-", lesson.id, "-",
                    options.side)});
  json parsed = json::parse(ReadFile(report), nullptr, false);
  std::error_code ignored;
  fs::remove(report, ignored);
  if (!parsed.is_object()) {
    result.ran = false;
    result.problem = absl::StrCat("the lesson's tests did not run to the end (exit ", run.code,
                                  "):\n", run.output.substr(0, 3000));
    return;
  }
  const std::map<std::string, std::string> failures = TestOutcomes(parsed);
  for (auto& task_result : result.tasks) {
    const Task& task = *task_result.task;
    if (task.tests.empty()) continue;
    bool any = false;
    for (const auto& [name, message] : failures) {
      if (!MatchesAny(name, task.tests)) continue;
      any = true;
      if (!message.empty()) task_result.failures.push_back(name + ": " + message.substr(0, 1500));
    }
    if (!any) task_result.failures.push_back("no test matches this task (manifest error)");
  }
}

void MarkQuiz(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
              LessonResult& result) {
  const fs::path mine = options.side == "solution"
                            ? fs::path(paths.source) / "solutions" / lesson.dir / "quiz.txt"
                            : fs::path(paths.exercises) / lesson.dir / "quiz.txt";
  const QuizScore score =
      ScoreQuiz(ReadAnswers(fs::path(paths.source) / "solutions" / lesson.dir / "quiz.txt"),
                ReadAnswers(mine));
  for (auto& task_result : result.tasks) {
    if (!task_result.task->quiz || score.all_right()) continue;
    task_result.failures.push_back(
        absl::StrCat(score.right, " of ", score.questions, " quiz answers are right in ",
                     mine.string(), " (`./course quiz ", lesson.id, "` shows the questions)"));
  }
}

// The compiler's warnings about the learner's files, from a build log: the
// exercise side builds without -Werror, so these are worth a look, not a stop.
std::string ExerciseWarnings(const std::string& log) {
  std::istringstream lines(log);
  std::string out;
  int kept = 0;
  for (std::string line; std::getline(lines, line) && kept < 12;) {
    if (line.find("warning:") == std::string::npos ||
        line.find("/exercises/") == std::string::npos) {
      continue;
    }
    absl::StrAppend(&out, "    ", line, "\n");
    ++kept;
  }
  return out;
}

}  // namespace

bool LessonResult::passed() const {
  if (!ran) return false;
  for (const auto& task : tasks) {
    if (!task.passed) return false;
  }
  return true;
}

LessonResult RunLessonChecks(const Lesson& lesson, const Paths& paths,
                             const CheckOptions& options) {
  LessonResult result;
  result.ran = true;
  for (const auto& task : lesson.tasks) result.tasks.push_back({&task, false, {}});
  RunServerChecks(lesson, paths, options, result);
  if (result.ran) RunTests(lesson, paths, options, result);
  return result;
}

void FinishLesson(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
                  LessonResult& result) {
  MarkQuiz(lesson, paths, options, result);
  result.points = 0;
  for (auto& task : result.tasks) {
    task.passed = result.ran && task.failures.empty();
    if (task.passed) result.points += task.task->points;
  }
}

LessonResult CheckLesson(const Lesson& lesson, const Paths& paths, const CheckOptions& options) {
  std::string warnings;  // the compiler's warnings on the learner's exercise
  if (options.build) {
    const harness::RunResult built =
        harness::RunToEnd({"cmake", "--build", paths.build, "--target",
                           absl::StrCat("lesson-", lesson.id), "--", "-j2"},
                          std::chrono::seconds(600));
    if (built.code != 0) {
      LessonResult result;
      for (const auto& task : lesson.tasks) result.tasks.push_back({&task, false, {}});
      result.problem =
          absl::StrCat("the lesson does not build:\n", FirstErrorLines(built.output, 12, "    "));
      return result;  // did not run: no quiz, no points
    }
    warnings = ExerciseWarnings(built.output);
  }
  LessonResult result = RunLessonChecks(lesson, paths, options);
  result.warnings = std::move(warnings);
  FinishLesson(lesson, paths, options, result);
  return result;
}

json LessonResultToJson(const LessonResult& result) {
  json tasks = json::array();
  for (const TaskResult& task : result.tasks) tasks.push_back(task.failures);
  return {{"ran", result.ran},
          {"problem", result.problem},
          {"server_note", result.server_note},
          {"server_start_seconds", result.server_start_seconds},
          {"task_failures", tasks}};
}

LessonResult LessonResultFromJson(const json& parsed, const Lesson& lesson) {
  LessonResult result;
  for (const auto& task : lesson.tasks) result.tasks.push_back({&task, false, {}});
  const json none = json::array();
  const json& tasks = parsed.is_object() ? parsed.value("task_failures", none) : none;
  if (!parsed.is_object() || !tasks.is_array() || tasks.size() != result.tasks.size()) {
    result.problem = "the lesson's checks ended without a result";
    return result;
  }
  result.ran = parsed.value("ran", false);
  result.problem = parsed.value("problem", "");
  result.server_note = parsed.value("server_note", "");
  result.server_start_seconds = parsed.value("server_start_seconds", 0.0);
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    for (const auto& failure : tasks[i]) {
      if (failure.is_string()) result.tasks[i].failures.push_back(failure.get<std::string>());
    }
  }
  return result;
}

}  // namespace course::lessons
