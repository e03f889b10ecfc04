// Checking one lesson: build it (or not), run its conformance checks against
// the lesson's server through the engine, run its gtests, mark its quiz, and
// turn all of it into points per task.
#ifndef COURSE_HARNESS_COURSE_LESSON_CHECK_H_
#define COURSE_HARNESS_COURSE_LESSON_CHECK_H_

#include <chrono>
#include <cstdint>
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

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_LESSON_CHECK_H_
