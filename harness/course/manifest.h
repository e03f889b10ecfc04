// The course as lessons/manifest.json describes it: lessons, their tasks and
// points, and where the course's folders are.
#ifndef COURSE_HARNESS_COURSE_MANIFEST_H_
#define COURSE_HARNESS_COURSE_MANIFEST_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace course::lessons {

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

absl::StatusOr<std::vector<Lesson>> LoadLessons(const Paths& paths);
// A lesson by id ("02") or folder ("02-unary"); NotFound says where to look.
absl::StatusOr<const Lesson*> FindLesson(const std::vector<Lesson>& lessons, const std::string& id);
// The lessons whose ids are in `ids` (all of them when `ids` is empty), in
// the manifest's order; NotFound when that leaves none.
absl::StatusOr<std::vector<Lesson>> SelectLessons(const std::vector<Lesson>& all,
                                                  const std::vector<std::string>& ids);
int MaxPoints(const std::vector<Lesson>& lessons);

// The authoring check: the manifest agrees with the folders, every task is
// graded by something, every check pattern matches a check.
std::vector<std::string> LintProblems(const Paths& paths, const std::vector<Lesson>& lessons);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_MANIFEST_H_
