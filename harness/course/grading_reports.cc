#include "course/grading_reports.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/report.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

const char* LessonStatusName(LessonStatus status) {
  switch (status) {
    case LessonStatus::kPass:
      return "pass";
    case LessonStatus::kFail:
      return "fail";
    case LessonStatus::kError:
      break;
  }
  return "error";
}

int Grading::Score() const {
  int total = 0;
  for (const auto& l : lessons) total += l.result.points;
  return total;
}

namespace {

std::string TaskMessage(const TaskResult& task) {
  std::string text;
  for (const auto& failure : task.failures) text += failure + "\n";
  return text;
}

json OwnJson(const Grading& g, const std::vector<Lesson>& all) {
  json lessons = json::array();
  for (const auto& l : g.lessons) {
    json tasks = json::array();
    for (const auto& t : l.result.tasks) {
      tasks.push_back({{"n", t.task->n},
                       {"title", t.task->title},
                       {"points", t.passed ? t.task->points : 0},
                       {"max_points", t.task->points},
                       {"status", t.passed                           ? "pass"
                                  : l.status == LessonStatus::kError ? "error"
                                                                     : "fail"},
                       {"message", l.status == LessonStatus::kError ? l.problem : TaskMessage(t)}});
    }
    lessons.push_back({{"id", l.lesson->id},
                       {"title", l.lesson->title},
                       {"status", LessonStatusName(l.status)},
                       {"points", l.result.points},
                       {"max_points", l.lesson->MaxPoints()},
                       {"problem", l.problem},
                       {"server_note", l.result.server_note},
                       {"build_seconds", l.build_seconds},
                       {"check_seconds", l.check_seconds},
                       {"server_start_seconds", l.result.server_start_seconds},
                       {"tasks", tasks}});
  }
  return {{"schema_version", 1},         {"submission", g.submission}, {"seed", g.seed},
          {"isolation", g.isolation},    {"complete", g.complete},     {"score", g.Score()},
          {"max_score", MaxPoints(all)}, {"duration_s", g.seconds},    {"lessons", lessons}};
}

json Gradescope(const Grading& g) {
  json tests = json::array();
  std::string output;
  for (const auto& l : g.lessons) {
    if (l.status == LessonStatus::kError)
      output += absl::StrCat("Lesson ", l.lesson->id, ": ", l.problem, "\n");
    for (const auto& t : l.result.tasks) {
      tests.push_back({{"name", absl::StrCat("Lesson ", l.lesson->id, " task ", t.task->n, ": ",
                                             t.task->title)},
                       {"number", absl::StrCat(l.lesson->id, ".", t.task->n)},
                       {"score", t.passed ? t.task->points : 0},
                       {"max_score", t.task->points},
                       {"status", t.passed ? "passed" : "failed"},
                       {"output", l.status == LessonStatus::kError ? l.problem : TaskMessage(t)},
                       {"visibility", "visible"}});
    }
  }
  return {{"score", g.Score()},
          {"execution_time", static_cast<int>(g.seconds)},
          {"output", absl::StrCat("seed ", g.seed, "; ", g.isolation, "\n", output)},
          {"visibility", "visible"},
          {"tests", tests}};
}

json Exercism(const Grading& g) {
  json tests = json::array();
  bool all_pass = true;
  std::string error;
  for (const auto& l : g.lessons) {
    if (l.status == LessonStatus::kError && error.empty()) {
      error = absl::StrCat("Lesson ", l.lesson->id, ": ", l.problem);
    }
    for (const auto& t : l.result.tasks) {
      all_pass = all_pass && t.passed;
      json test = {
          {"name", absl::StrCat("Lesson ", l.lesson->id, " task ", t.task->n, ": ", t.task->title)},
          {"status", t.passed                           ? "pass"
                     : l.status == LessonStatus::kError ? "error"
                                                        : "fail"},
          {"test_code", absl::StrCat("./course check ", l.lesson->id)},
          {"task_id", t.task->n}};
      if (!t.passed)
        test["message"] = l.status == LessonStatus::kError ? l.problem : TaskMessage(t);
      tests.push_back(test);
    }
  }
  json report = {{"version", 3}, {"tests", tests}};
  // Exercism's "error" is for a run that could not happen at all.
  if (g.lessons.empty() || (!error.empty() && tests.empty())) {
    report["status"] = "error";
    report["message"] = error.empty() ? "nothing was graded" : error;
  } else {
    report["status"] = all_pass ? "pass" : "fail";
  }
  return report;
}

std::string Junit(const Grading& g) {
  std::vector<harness::CheckResult> results;
  for (const auto& l : g.lessons) {
    for (const auto& t : l.result.tasks) {
      harness::CheckResult r;
      r.id = absl::StrCat("lesson-", l.lesson->id, ".task-", t.task->n);
      r.rule = absl::StrCat(t.task->points, " points");
      r.area = absl::StrCat("lesson-", l.lesson->id);
      r.title = t.task->title;
      r.outcome = t.passed ? harness::Outcome::kPass : harness::Outcome::kFail;
      r.finding.message = l.status == LessonStatus::kError ? l.problem : TaskMessage(t);
      results.push_back(r);
    }
  }
  return harness::ToJunit(results, harness::Summarize(results, g.seconds), "course.grade");
}

}  // namespace

void WriteReports(const Grading& g, const std::vector<Lesson>& graded, const ReportPaths& paths) {
  auto write = [&](const std::string& path, const std::string& text) {
    if (path.empty()) return;
    if (absl::Status written = harness::WriteFileAtomically(path, text); !written.ok()) {
      std::cerr << "course: " << written.message() << "\n";
    }
  };
  const auto dump = [](const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  };
  write(paths.json, dump(OwnJson(g, graded)));
  write(paths.gradescope, dump(Gradescope(g)));
  write(paths.exercism, dump(Exercism(g)));
  write(paths.junit, Junit(g));
}

}  // namespace course::lessons
