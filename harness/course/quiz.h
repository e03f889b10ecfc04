// Quiz answers: quiz.txt holds lines `N: answer`; `#` starts a comment and
// `?` means not answered. The key is the solution's quiz.txt.
#ifndef COURSE_HARNESS_COURSE_QUIZ_H_
#define COURSE_HARNESS_COURSE_QUIZ_H_

#include <filesystem>
#include <map>
#include <string>

namespace course::lessons {

// Question -> answer, both trimmed and lower-cased.
std::map<std::string, std::string> ReadAnswers(const std::filesystem::path& path);

struct QuizScore {
  int right = 0;
  int questions = 0;
  bool all_right() const { return right == questions; }
};
QuizScore ScoreQuiz(const std::map<std::string, std::string>& key,
                    const std::map<std::string, std::string>& given);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_QUIZ_H_
