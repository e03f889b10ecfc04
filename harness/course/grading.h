// Grading: one submission (a folder laid out like exercises/, or an archive
// of one), built and checked lesson by lesson, isolated and bounded; and a
// class of them, several at a time, into a gradebook.
//
// Errors: a Status that is not OK means grading could not happen (the
// command exits 2). FailedPrecondition is the grader's own set-up failing
// (no build, a course its uid cannot read): no score is written then.
#ifndef COURSE_HARNESS_COURSE_GRADING_H_
#define COURSE_HARNESS_COURSE_GRADING_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "course/grading_reports.h"
#include "course/manifest.h"
#include "course/shard.h"

namespace course::lessons {

struct GradeOptions {
  std::string submission;            // a folder like exercises/, or a .tar/.tar.gz/.tgz of one
  std::vector<std::string> lessons;  // ids; empty: every lesson in the manifest
  ReportPaths reports;
  std::optional<std::uint64_t> seed;        // drawn from /dev/urandom when unset
  std::chrono::seconds build_budget{180};   // compiling one lesson
  std::chrono::seconds lesson_budget{120};  // checking one lesson
  std::chrono::milliseconds check_budget{15000};
  std::size_t memory_bytes = std::size_t{2} << 30;  // per process (address space)
  int processes = 256;                              // per grading uid
  int uid = -1;  // the uid submissions run as; -1: chosen (when root)
  // Bring the course's own objects up to date and grade its solutions first
  // (one lesson of each kind, the same way); refuse to grade when they fall
  // short.
  bool preflight = true;
  // Run every build step, server and test in a sandbox (core/sandbox.h)
  // when the host allows it. Without one, every report says so and why.
  bool sandbox = true;
  // Told when grading starts (with the seed and the isolation in force) and
  // as each lesson is graded.
  std::function<void(const Grading&)> on_start;
  std::function<void(const LessonGrade&)> on_lesson;
};

// Grades one submission, writing the reports after every lesson so that a
// report exists even when grading is cut short.
absl::StatusOr<Grading> GradeSubmission(const Paths& course, GradeOptions options);

struct ClassOptions {
  std::string dir;  // one folder or archive per submission
  std::string out;  // reports and the gradebook; empty: DIR/../graded
  int jobs = 1;
  std::string grader;  // the course-cli binary that grades one submission
  GradeOptions grade;  // lessons, seed and budgets for every submission
  Shard shard;         // grade only this part of the class (course/shard.h)
  // "grading NAME", "graded NAME", "graded NAME (incomplete)", ...
  std::function<void(const std::string&)> on_progress;
};

struct ClassResult {
  std::string gradebook;  // the CSV's path
  int graded_now = 0;
  int already_graded = 0;
  int in_other_shards = 0;
  double preflight_seconds = 0;  // checking the grader's own set-up
};

// Grades every submission in a folder, `jobs` at a time, each in a grader
// process of its own; submissions with a complete report are skipped, so a
// second run resumes. The grader's set-up is checked once, first. With a
// shard, only the submissions in it are graded and in its gradebook.
absl::StatusOr<ClassResult> GradeClass(const Paths& course, const ClassOptions& options);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADING_H_
