#include "course/lesson_check.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
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

// The failure as the lesson report shows it: the check, its rule, then the
// same finding text as `conform` prints, indented under it.
std::string TaskFailure(const harness::CheckResult& check) {
  std::string details = harness::FindingText(check.finding);
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
  if (auto* process = (*target)->Process(); process != nullptr) {
    // Did the server die under the checks? Say so: it explains the failures.
    if (std::optional<std::string> how = process->EndedHow()) {
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
      task_result.failures.push_back(TaskFailure(check));
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

}  // namespace

bool LessonResult::passed() const {
  if (!ran) return false;
  for (const auto& task : tasks) {
    if (!task.passed) return false;
  }
  return true;
}

LessonResult CheckLesson(const Lesson& lesson, const Paths& paths, const CheckOptions& options) {
  LessonResult result;
  result.ran = true;
  for (const auto& task : lesson.tasks) result.tasks.push_back({&task, false, {}});
  if (options.build) {
    const harness::RunResult built =
        harness::RunToEnd({"cmake", "--build", paths.build, "--target",
                           absl::StrCat("lesson-", lesson.id), "--", "-j2"},
                          std::chrono::seconds(600));
    if (built.code != 0) {
      result.ran = false;
      result.problem =
          absl::StrCat("the lesson does not build:\n", FirstErrorLines(built.output, 12, "    "));
      return result;
    }
  }
  RunServerChecks(lesson, paths, options, result);
  if (result.ran) RunTests(lesson, paths, options, result);
  MarkQuiz(lesson, paths, options, result);
  for (auto& task : result.tasks) {
    task.passed = result.ran && task.failures.empty();
    if (task.passed) result.points += task.task->points;
  }
  return result;
}

}  // namespace course::lessons
