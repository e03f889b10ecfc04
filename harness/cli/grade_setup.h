// What grading needs of the course itself: the course's own compile and link
// commands for a lesson target, and the files they name, which become the
// only part of the course a submission's uid can see (core/file_view.h).
#ifndef COURSE_HARNESS_CLI_GRADE_SETUP_H_
#define COURSE_HARNESS_CLI_GRADE_SETUP_H_

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/learn.h"

namespace course::cli {

// How the course builds one lesson target from its exercise sources: the
// compile command of each object made from an exercise file, and the link.
struct TargetCommands {
  std::string target;                                         // "lesson-02-exercise"
  std::vector<std::pair<std::string, std::string>> compiles;  // object -> command
  std::string link;
};

// Read from the course's build (`ninja -t commands` and compile_commands.json).
absl::StatusOr<TargetCommands> CommandsFor(const Paths& course, const Lesson& lesson,
                                           const std::string& target,
                                           const nlohmann::json& compile_db);

// The course's files and folders that these commands read (include folders,
// the precompiled header, libraries, the lesson's own objects), plus each
// lesson's folder under lessons/ (its tests read data from there). Include
// folders in the source tree are given as their header files alone, so the
// reference's and the solutions' code stay out of sight; the exercise
// folders, which the grader replaces with the submission's copy, are left out.
std::vector<std::string> CourseFilesNeeded(const Paths& course,
                                           const std::vector<TargetCommands>& targets,
                                           const std::vector<Lesson>& lessons);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_GRADE_SETUP_H_
