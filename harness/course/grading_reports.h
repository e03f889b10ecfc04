// What grading found, and the reports made from it: our own JSON, JUnit XML,
// Gradescope's results.json, Exercism's results.json (version 3). A
// class's gradebook is course/gradebook.h.
#ifndef COURSE_HARNESS_COURSE_GRADING_REPORTS_H_
#define COURSE_HARNESS_COURSE_GRADING_REPORTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "course/lesson_check.h"
#include "course/manifest.h"

namespace course::lessons {

enum class LessonStatus { kPass, kFail, kError };
const char* LessonStatusName(LessonStatus status);  // "pass", "fail", "error"

struct LessonGrade {
  const Lesson* lesson = nullptr;
  LessonStatus status = LessonStatus::kError;
  std::string problem;  // compile error, server never listened, ...
  bool built = false;
  double build_seconds = 0, check_seconds = 0;
  LessonResult result;
};

struct Grading {
  std::string submission;
  std::uint64_t seed = 0;
  std::string isolation;
  std::vector<LessonGrade> lessons;
  bool complete = false;
  double seconds = 0;
  int Score() const;
};

// Where each report goes; an empty path: not written.
struct ReportPaths {
  std::string json, junit, gradescope, exercism;
};

// Writes every report asked for; `graded` are the lessons being graded (for
// the maximum score). A report that cannot be written is said on stderr.
void WriteReports(const Grading& grading, const std::vector<Lesson>& graded,
                  const ReportPaths& paths);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADING_REPORTS_H_
