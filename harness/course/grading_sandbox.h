// Checking a submission's lesson inside its sandbox.
//
// A network namespace belongs to a thread, and gRPC opens its sockets on
// threads of its own, so the grader cannot talk to a server that lives in a
// namespace other than its own. Instead the grader starts a checker, a
// second course-cli process (`course-cli grade-lesson-checks PLAN`), in a
// network namespace of its own with loopback alone (core/sandbox.h,
// OwnNetworkArgv). The checker starts the lesson's server and tests in the
// submission's sandbox, which shares that namespace and nothing else, runs
// the lesson's checks against the server, and prints the result as JSON on
// its stdout, which the grader reads. The checker is the grader's own code:
// it runs as the grader's uid, outside the submission's view, and the
// submission's pid namespace cannot see it.
#ifndef COURSE_HARNESS_COURSE_GRADING_SANDBOX_H_
#define COURSE_HARNESS_COURSE_GRADING_SANDBOX_H_

#include <chrono>
#include <cstdint>
#include <string>

#include "core/child_process.h"
#include "course/lesson_check.h"
#include "course/manifest.h"

namespace course::lessons {

// What the checker needs to know, written to a file by the grader.
struct CheckPlan {
  std::string lesson;     // "02"
  std::string build;      // the submission's build (…/out)
  std::string exercises;  // the submission's sources
  std::uint64_t seed = 1;
  harness::ChildLimits limits;  // with the sandbox policy the server and tests run under
  std::chrono::milliseconds check_bound{15000};
  std::chrono::seconds lesson_bound{120};
};

// Grader side: writes `plan` to `plan_file`, runs the checker (`checker`,
// the course-cli binary) in a network namespace of its own, and reads the
// lesson's result (the quiz and points are not yet marked: FinishLesson).
LessonResult CheckInSandbox(const Lesson& lesson, const CheckPlan& plan,
                            const std::string& plan_file, const std::string& checker);

// Checker side: runs the plan in `plan_file` and prints the result's JSON.
// Returns the exit code (2 when the plan cannot be read).
int RunCheckPlan(const Paths& course, const std::string& plan_file);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADING_SANDBOX_H_
