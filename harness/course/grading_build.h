// Building a submission's lesson the way the course builds its own: the
// course's compile and link commands, replayed on the submission's sources
// with the paths moved; and the course files those commands read, which
// become the only part of the course a submission's uid can see
// (core/file_view.h).
#ifndef COURSE_HARNESS_COURSE_GRADING_BUILD_H_
#define COURSE_HARNESS_COURSE_GRADING_BUILD_H_

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "core/child_process.h"
#include "course/manifest.h"

namespace course::lessons {

// How the course builds one lesson target from its exercise sources: the
// compile command of each object made from an exercise file, and the link.
struct TargetCommands {
  std::string target;                                         // "lesson-02-exercise"
  std::vector<std::pair<std::string, std::string>> compiles;  // object -> command
  std::string link;
  // The course's own objects that the link takes as they are (the lesson's
  // tests, say): exercise targets are not part of `all`, so the grader
  // brings these up to date itself (BuildCourseObjects).
  std::vector<std::string> course_objects;
};

// Read from the course's build (`ninja -t commands` and compile_commands.json).
absl::StatusOr<TargetCommands> CommandsFor(const Paths& course, const Lesson& lesson,
                                           const std::string& target,
                                           const nlohmann::json& compile_db);

// Brings the course's own objects of these targets up to date (ninja, as the
// grader, before any submission is built); an error names what failed.
absl::Status BuildCourseObjects(const Paths& course, const std::vector<TargetCommands>& targets);

// The course's files and folders that these commands read (include folders,
// the precompiled header, libraries, the lesson's own objects), plus each
// lesson's folder under lessons/ (its tests read data from there). Include
// folders in the source tree are given as their header files alone, so the
// reference's and the solutions' code stay out of sight; the exercise
// folders, which the grader replaces with the submission's copy, are left out.
std::vector<std::string> CourseFilesNeeded(const Paths& course,
                                           const std::vector<TargetCommands>& targets,
                                           const std::vector<Lesson>& lessons);

// The targets the course builds for a lesson's exercise: "lesson-NN-exercise"
// and/or "lesson-NN-exercise-tests" (none for a quiz-only lesson).
std::vector<std::string> LessonTargets(const Paths& course, const Lesson& lesson);

// Builds one target from the submission's copies in `sources` into `out`,
// every step under `limits` and within `budget` in all. On failure, says why
// in `problem` ("does not compile: ...").
struct BuildOutcome {
  bool built = false;
  std::string problem;
  double seconds = 0;
};
BuildOutcome BuildTarget(const Paths& course, const Lesson& lesson, const TargetCommands& commands,
                         const std::string& sources, const std::string& out,
                         const harness::ChildLimits& limits, std::chrono::seconds budget);

// Copies exactly the files the course's exercise folder has (regular files,
// no links, bounded in size) from the submission into `into`.
void TakeSources(const std::string& from, const std::string& course_exercises,
                 const std::string& into, const std::vector<Lesson>& lessons);
// The folder that holds the lesson folders (an archive may wrap them in one
// top-level folder).
std::string LessonRoot(const std::string& top, const std::vector<Lesson>& lessons);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADING_BUILD_H_
