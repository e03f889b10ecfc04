// Quizzes. The questions and their options are lessons/NN-slug/QUIZ.md; the
// key is the solution's quiz.txt and why each option is right or wrong is the
// solution's quiz-why.txt (lines `Nx: text`). A learner's quiz.txt holds lines
// `N: answer`; `#` starts a comment and `?` means not answered.
#ifndef COURSE_HARNESS_COURSE_QUIZ_H_
#define COURSE_HARNESS_COURSE_QUIZ_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

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

struct QuizQuestion {
  std::string number;                          // "1"
  std::string text;                            // the question, its lines joined
  std::map<std::string, std::string> options;  // "a" -> its text
};
// The questions of a QUIZ.md: `N. text`, then options `a) text`, one per line
// or several on one line separated by two spaces; indented lines continue.
std::vector<QuizQuestion> ParseQuiz(const std::string& markdown);

// "1a" -> why option a of question 1 is right or wrong (quiz-why.txt).
std::map<std::string, std::string> ReadExplanations(const std::filesystem::path& path);

// Where a quiz's files are.
struct QuizFiles {
  std::filesystem::path questions, key, why;
};

// Over all quizzes: how often each letter is the answer, and how often the
// right option is strictly the longest, so that neither gives answers away.
struct QuizMeasures {
  int questions = 0;
  std::map<std::string, int> answers;  // letter -> questions it answers
  int correct_longest = 0;
  std::string Describe() const;
};
// Adds to `measures` and to `problems` (a question without a key or without
// an explanation per option, a key naming no option).
void MeasureQuiz(const std::string& lesson_id, const QuizFiles& files, QuizMeasures& measures,
                 std::vector<std::string>& problems);
// The limits lessons-lint holds the measures to: no letter answers more than
// 35% of questions, every letter a-d answers some, the right option is
// strictly the longest in at most 40%.
std::vector<std::string> MeasureProblems(const QuizMeasures& measures);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_QUIZ_H_
