#include "course/grading_sandbox.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"
#include "core/report.h"
#include "core/sandbox.h"
#include "course/text.h"

namespace course::lessons {
using nlohmann::json;

namespace {

json PlanToJson(const CheckPlan& plan) {
  const harness::ChildLimits& limits = plan.limits;
  json sandbox = nullptr;
  if (limits.sandbox != nullptr) {
    sandbox = {{"read_only", limits.sandbox->read_only},
               {"writable", limits.sandbox->writable},
               {"hidden", limits.sandbox->hidden},
               {"uid", limits.sandbox->uid}};
  }
  return {{"lesson", plan.lesson},
          {"build", plan.build},
          {"exercises", plan.exercises},
          {"seed", plan.seed},
          {"memory_bytes", limits.memory_bytes},
          {"cpu_seconds", limits.cpu_seconds},
          {"processes", limits.processes},
          {"file_bytes", limits.file_bytes},
          {"uid", limits.uid},
          {"sandbox", sandbox},
          {"check_bound_ms", plan.check_bound.count()},
          {"lesson_bound_s", plan.lesson_bound.count()}};
}

CheckPlan PlanFromJson(const json& j) {
  CheckPlan plan;
  plan.lesson = j.at("lesson").get<std::string>();
  plan.build = j.at("build").get<std::string>();
  plan.exercises = j.at("exercises").get<std::string>();
  plan.seed = j.at("seed").get<std::uint64_t>();
  plan.limits.memory_bytes = j.at("memory_bytes").get<std::size_t>();
  plan.limits.cpu_seconds = j.at("cpu_seconds").get<int>();
  plan.limits.processes = j.at("processes").get<int>();
  plan.limits.file_bytes = j.at("file_bytes").get<std::size_t>();
  plan.limits.uid = j.at("uid").get<int>();
  if (const json& sandbox = j.at("sandbox"); sandbox.is_object()) {
    auto policy = std::make_shared<harness::SandboxPolicy>();
    policy->read_only = sandbox.at("read_only").get<std::vector<std::string>>();
    policy->writable = sandbox.at("writable").get<std::vector<std::string>>();
    policy->hidden = sandbox.at("hidden").get<std::vector<std::string>>();
    policy->uid = sandbox.at("uid").get<int>();
    // The checker already has a network namespace of its own; the server
    // and tests share it, so that the checks can reach them.
    policy->own_network = false;
    plan.limits.sandbox = policy;
  }
  plan.check_bound = std::chrono::milliseconds(j.at("check_bound_ms").get<long long>());
  plan.lesson_bound = std::chrono::seconds(j.at("lesson_bound_s").get<long long>());
  return plan;
}

}  // namespace

LessonResult CheckInSandbox(const Lesson& lesson, const CheckPlan& plan,
                            const std::string& plan_file, const std::string& checker) {
  LessonResult failed;
  for (const auto& task : lesson.tasks) failed.tasks.push_back({&task, false, {}});
  if (absl::Status written = harness::WriteFileAtomically(plan_file, PlanToJson(plan).dump());
      !written.ok()) {
    failed.problem = std::string(written.message());
    return failed;
  }
  // The checks and the tests each have their bounds; this one only catches
  // a checker that hangs in spite of them.
  const auto bound = plan.lesson_bound + std::min(plan.lesson_bound, std::chrono::seconds(120)) +
                     std::chrono::seconds(30);
  const harness::RunResult ran = harness::RunToEnd(
      harness::OwnNetworkArgv({checker, "grade-lesson-checks", plan_file}), bound);
  // RunToEnd puts stdout first: the JSON is its first line.
  const json parsed = json::parse(ran.output.substr(0, ran.output.find('\n')), nullptr, false);
  LessonResult result = LessonResultFromJson(parsed, lesson);
  if (!parsed.is_object()) {
    result.problem = absl::StrCat("the grader's checker ended without a result (exit ", ran.code,
                                  "):\n", ran.output.substr(0, 2000));
  }
  return result;
}

int RunCheckPlan(const Paths& course, const std::string& plan_file) {
  const json parsed = json::parse(ReadFile(plan_file), nullptr, false);
  CheckPlan plan;
  try {
    plan = PlanFromJson(parsed);
  } catch (const json::exception& e) {
    std::cerr << "course: cannot read the check plan " << plan_file << ": " << e.what() << "\n";
    return 2;
  }
  absl::StatusOr<std::vector<Lesson>> all = LoadLessons(course);
  if (!all.ok()) {
    std::cerr << "course: " << all.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<const Lesson*> lesson = FindLesson(*all, plan.lesson);
  if (!lesson.ok()) {
    std::cerr << "course: " << lesson.status().message() << "\n";
    return 2;
  }
  Paths graded = course;
  graded.build = plan.build;
  graded.exercises = plan.exercises;
  graded.state.clear();
  CheckOptions check;
  check.side = "exercise";
  check.build = false;
  check.seed = plan.seed;
  check.limits = plan.limits;
  check.check_bound = plan.check_bound;
  check.lesson_bound = plan.lesson_bound;
  const LessonResult result = RunLessonChecks(**lesson, graded, check);
  std::cout << LessonResultToJson(result).dump(-1, ' ', false, json::error_handler_t::replace)
            << std::endl;
  return 0;
}

}  // namespace course::lessons
