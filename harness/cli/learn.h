// Printing a lesson's result, shared by `course check` and `course grade`.
#ifndef COURSE_HARNESS_CLI_LEARN_H_
#define COURSE_HARNESS_CLI_LEARN_H_

#include "course/lesson_check.h"
#include "course/manifest.h"

namespace course::cli {

// Every task, PASS or FAIL, the first failure in detail and where its TODO is.
void PrintLessonResult(const lessons::Lesson& lesson, const lessons::LessonResult& result,
                       const lessons::CheckOptions& options, const lessons::Paths& paths);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_LEARN_H_
