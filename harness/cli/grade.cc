// `course grade` and `course grade-all`: the flags, and what a teacher sees
// while grading runs. The grading itself is course/grading.h.
#include <filesystem>
#include <iostream>
#include <memory>

#include "cli/command.h"
#include "cli/learn.h"
#include "course/grading.h"
#include "course/grading_sandbox.h"

namespace course::cli {

namespace {

struct GradeFlags {
  lessons::GradeOptions options;
  std::uint64_t seed = 0;
  CLI::Option* seed_option = nullptr;
  int build_budget_s = 180, lesson_budget_s = 120;
  bool quiet = false;
  std::string dir, out;  // grade-all
  int jobs = 1;
  std::string shard = "0/1";

  lessons::GradeOptions Options() const {
    lessons::GradeOptions chosen = options;
    if (seed_option != nullptr && seed_option->count() > 0) chosen.seed = seed;
    chosen.build_budget = std::chrono::seconds(build_budget_s);
    chosen.lesson_budget = std::chrono::seconds(lesson_budget_s);
    return chosen;
  }
};

// The grader's own set-up failing gets the fixes; anything else, its reason.
int CannotGrade(const absl::Status& status) {
  if (status.code() != absl::StatusCode::kFailedPrecondition) {
    return CouldNotRun(std::string(status.message()));
  }
  std::cerr << "course: cannot grade here: " << status.message()
            << "\nNo scores were written: this is the grader's set-up, not a student's code.\n"
               "Fixes: build the course (`./course build`); make its files readable by other "
               "users (`chmod -R o+rX` on the checkout, or clone with umask 022); or grade as an "
               "ordinary user, without a separate uid (see README, \"Where the course may "
               "live\").\n";
  return 2;
}

int Grade(const GradeFlags& flags) {
  lessons::GradeOptions options = flags.Options();
  lessons::Paths course = lessons::DefaultPaths();
  course.state.clear();
  if (!flags.quiet) {
    options.on_start = [](const lessons::Grading& grading) {
      std::cout << "Grading " << grading.submission << " (seed " << grading.seed << "; "
                << grading.isolation << ")\n";
    };
    options.on_lesson = [course](const lessons::LessonGrade& grade) {
      lessons::CheckOptions print;
      print.color = false;
      PrintLessonResult(*grade.lesson, grade.result, print, course);
    };
  }
  absl::StatusOr<lessons::Grading> grading = lessons::GradeSubmission(course, options);
  if (!grading.ok()) return CannotGrade(grading.status());
  int max = 0;
  for (const auto& lesson : grading->lessons) max += lesson.lesson->MaxPoints();
  std::cout << "score " << grading->Score() << "/" << max << " for " << options.submission
            << " (seed " << grading->seed << ", " << static_cast<int>(grading->seconds) << " s)\n";
  return 0;
}

int GradeAll(const GradeFlags& flags, const std::string& grader) {
  lessons::ClassOptions options;
  options.dir = flags.dir;
  options.out = flags.out;
  options.jobs = flags.jobs;
  options.grader = grader;
  options.grade = flags.Options();
  absl::StatusOr<lessons::Shard> shard = lessons::ParseShard(flags.shard);
  if (!shard.ok()) return CouldNotRun(std::string(shard.status().message()));
  options.shard = *shard;
  options.on_progress = [](const std::string& line) { std::cout << line << "\n"; };
  lessons::Paths course = lessons::DefaultPaths();
  course.state.clear();
  absl::StatusOr<lessons::ClassResult> result = lessons::GradeClass(course, options);
  if (!result.ok()) return CannotGrade(result.status());
  std::cout << "gradebook: " << result->gradebook << " (" << result->graded_now << " graded now, "
            << result->already_graded << " already graded";
  if (shard->count > 1) {
    std::cout << "; shard " << flags.shard << ", " << result->in_other_shards << " in other shards";
  }
  std::cout << "; pre-flight " << static_cast<int>(result->preflight_seconds) << " s)\n";
  return 0;
}

void AddBudgets(CLI::App* command, GradeFlags& flags) {
  command->add_option("--lesson", flags.options.lessons, "grade only these lessons (repeatable)");
  flags.seed_option = command->add_option("--seed", flags.seed, "replay a grading with its seed");
  command->add_option("--build-budget", flags.build_budget_s, "seconds to compile one lesson")
      ->check(CLI::Range(5, 3600));
  command->add_option("--lesson-budget", flags.lesson_budget_s, "seconds to check one lesson")
      ->check(CLI::Range(5, 3600));
  command->add_flag("--sandbox,!--no-sandbox", flags.options.sandbox,
                    "run builds, servers and tests in a sandbox when the host allows it (default)");
}

}  // namespace

void AddGradeCommands(CLI::App& app, Commands& commands) {
  auto one = std::make_shared<GradeFlags>();
  CLI::App* grade = app.add_subcommand(
      "grade", "grade one submission (a folder like exercises/, or a .tar.gz of one)");
  grade->add_option("submission", one->options.submission, "the submission")->required();
  AddBudgets(grade, *one);
  grade->add_option("--json", one->options.reports.json, "our own JSON report");
  grade->add_option("--junit", one->options.reports.junit, "JUnit XML");
  grade->add_option("--gradescope", one->options.reports.gradescope, "Gradescope results.json");
  grade->add_option("--exercism", one->options.reports.exercism,
                    "Exercism results.json (version 3)");
  grade->add_option("--uid", one->options.uid, "the uid submissions run as (when root)")
      ->check(CLI::Range(1000, 65533));
  grade->add_flag("--quiet", one->quiet, "only the final score line");
  grade->add_flag("--preflight,!--no-preflight", one->options.preflight,
                  "first grade the course's own solutions the same way, and stop (exit 2) when "
                  "they fall short, after bringing the course's own objects up to date (default; "
                  "grade-all does both once and passes --no-preflight)");
  commands.push_back({grade, [one] { return Grade(*one); }});

  // The checker that grading starts inside a sandbox's network namespace
  // (course/grading_sandbox.h); not for people.
  auto plan = std::make_shared<std::string>();
  CLI::App* checks = app.add_subcommand("grade-lesson-checks", "");
  checks->group("");
  checks->add_option("plan", *plan, "the check plan the grader wrote")->required();
  commands.push_back({checks, [plan] {
                        lessons::Paths course = lessons::DefaultPaths();
                        course.state.clear();
                        return lessons::RunCheckPlan(course, *plan);
                      }});

  auto all = std::make_shared<GradeFlags>();
  CLI::App* grade_all = app.add_subcommand(
      "grade-all", "grade every submission in a folder, in parallel, into a gradebook");
  grade_all->add_option("dir", all->dir, "one folder or archive per submission")
      ->required()
      ->check(CLI::ExistingDirectory);
  grade_all->add_option("-j,--jobs", all->jobs, "submissions graded at once")
      ->check(CLI::Range(1, 16));
  grade_all->add_option("--out", all->out,
                        "where reports and the gradebook go (default: DIR/../graded)");
  grade_all->add_option("--shard", all->shard,
                        "grade only shard I of N (0-based; each submission is in exactly one, "
                        "by a hash of its name); join the shards with `gradebook merge`");
  AddBudgets(grade_all, *all);
  commands.push_back({grade_all, [all] {
                        std::error_code ignored;
                        const std::string self =
                            std::filesystem::read_symlink("/proc/self/exe", ignored).string();
                        return GradeAll(*all, self);
                      }});
}

}  // namespace course::cli
