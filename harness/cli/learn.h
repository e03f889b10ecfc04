// The learner's commands: status, check, watch, hint, quiz, solution, reset,
// and the authoring check lessons-lint. Lessons come from lessons/manifest.json.
#ifndef COURSE_HARNESS_CLI_LEARN_H_
#define COURSE_HARNESS_CLI_LEARN_H_

#include <chrono>
#include <string>
#include <vector>

#include "core/child_process.h"

namespace course::cli {

struct Task {
  int n = 0;
  std::string title;
  int points = 0;
  std::vector<std::string> checks;  // conformance check id patterns
  std::vector<std::string> tests;   // gtest name patterns (Suite.Test)
  bool quiz = false;
};

struct Lesson {
  std::string id;   // "02"
  std::string dir;  // "02-unary"
  std::string title;
  std::vector<Task> tasks;
  std::vector<std::string> hints;
  int MaxPoints() const;
};

// Where things are. Defaults come from the build; `exercises` can point at a
// submission (grading).
struct Paths {
  std::string source;     // the project's top folder
  std::string build;      // its build folder
  std::string exercises;  // the learner's exercises/ folder
  std::string state;      // .course/state.json; empty: no state kept
};
Paths DefaultPaths();

std::vector<Lesson> LoadLessons(const Paths& paths, std::string* error);

struct TaskResult {
  const Task* task = nullptr;
  bool passed = false;
  std::vector<std::string> failures;  // readable, first failure first
};

struct LessonResult {
  bool ran = false;         // false when it could not even build or start
  std::string problem;      // why it could not run
  std::string server_note;  // how the lesson's server ended, when badly
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
void PrintLessonResult(const Lesson& lesson, const LessonResult& result,
                       const CheckOptions& options, const Paths& paths);

// The subcommands. Each returns the process exit code.
int StatusCommand(const Paths& paths);
int CheckCommand(const Paths& paths, const std::string& id, const CheckOptions& options);
int WatchCommand(const Paths& paths, const std::string& id, const CheckOptions& options);
int HintCommand(const Paths& paths, const std::string& id);
int QuizCommand(const Paths& paths, const std::string& id);
int SolutionCommand(const Paths& paths, const std::string& id, bool force);
int ResetCommand(const Paths& paths, const std::string& id);
int LintCommand(const Paths& paths);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_LEARN_H_
