// Checking one lesson: build it (or not), run its conformance checks against
// the lesson's server through the engine, run its gtests, mark its quiz, and
// turn all of it into points per task.
#ifndef COURSE_HARNESS_COURSE_LESSON_CHECK_H_
#define COURSE_HARNESS_COURSE_LESSON_CHECK_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/child_process.h"
#include "course/manifest.h"

namespace course::lessons {

struct TaskResult {
  const Task* task = nullptr;
  bool passed = false;
  std::vector<std::string> failures;  // readable, first failure first
};

struct LessonResult {
  bool ran = false;                 // false when it could not even build or start
  std::string problem;              // why it could not run
  std::string server_note;          // how the lesson's server ended, when badly
  std::string warnings;             // the compiler's warnings on the learner's code
  double server_start_seconds = 0;  // until its server said it listens
  std::vector<TaskResult> tasks;
  int points = 0;
  bool passed() const;
};

struct CheckOptions {
  std::string side = "exercise";  // or "solution"
  bool build = true;
  bool color = false;
  std::uint64_t seed = 1;
  // Bounds on what the lesson's server and tests may use (grading).
  harness::ChildLimits limits;
  std::chrono::milliseconds check_bound{30000};  // one check
  std::chrono::seconds lesson_bound{300};        // all checks of the lesson
};

// Builds the lesson (unless told not to), runs its checks, tests and quiz.
LessonResult CheckLesson(const Lesson& lesson, const Paths& paths, const CheckOptions& options);

// The parts of CheckLesson, for grading, which runs the first in a sandbox's
// network namespace (a process of its own) and the second in the grader:
// the lesson's server checks and tests, with `ran` set...
LessonResult RunLessonChecks(const Lesson& lesson, const Paths& paths, const CheckOptions& options);
// ...and the quiz (whose answer key the sandbox never sees) and the points.
void FinishLesson(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
                  LessonResult& result);

// A LessonResult as JSON and back (tasks in the manifest's order). Reading
// anything malformed gives a result that did not run, saying so.
nlohmann::json LessonResultToJson(const LessonResult& result);
LessonResult LessonResultFromJson(const nlohmann::json& json, const Lesson& lesson);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_LESSON_CHECK_H_
