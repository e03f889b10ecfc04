// Printing a lesson's result, shared by `course check` and `course grade`.
#ifndef COURSE_HARNESS_CLI_LEARN_H_
#define COURSE_HARNESS_CLI_LEARN_H_

#include <string>
#include <vector>

#include "course/lesson_check.h"
#include "course/manifest.h"

namespace course::cli {

// Every task, PASS or FAIL, the first failure in detail and where its TODO is.
void PrintLessonResult(const lessons::Lesson& lesson, const lessons::LessonResult& result,
                       const lessons::CheckOptions& options, const lessons::Paths& paths);

// `course quiz NN` (cli/quiz.cc): interactive on a terminal, the answers
// file's feedback otherwise. Exit 0 when every answer is right.
int QuizCommand(const lessons::Paths& paths, const lessons::Lesson& lesson);
// Prints the quiz measures over all lessons; returns what breaks the limits.
std::vector<std::string> LintQuizzes(const lessons::Paths& paths,
                                     const std::vector<lessons::Lesson>& all);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_LEARN_H_
