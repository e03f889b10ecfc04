// `course quiz NN`: on a terminal, one question at a time, with why each
// option is right or wrong once it is answered (the answer is saved to the
// learner's quiz.txt); otherwise the quiz, then the answers in quiz.txt with
// the same feedback. And the quiz half of `course lessons-lint`.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "cli/learn.h"
#include "course/quiz.h"
#include "course/text.h"

namespace course::cli {
namespace fs = std::filesystem;
using lessons::Paint;

namespace {

lessons::QuizFiles FilesOf(const lessons::Paths& paths, const lessons::Lesson& lesson) {
  const fs::path solution = fs::path(paths.source) / "solutions" / lesson.dir;
  return {fs::path(paths.source) / "lessons" / lesson.dir / "QUIZ.md", solution / "quiz.txt",
          solution / "quiz-why.txt"};
}

// Right or not, then why each option is right or wrong.
void PrintFeedback(const lessons::QuizQuestion& question, const std::string& given,
                   const std::string& answer, const std::map<std::string, std::string>& why,
                   bool color) {
  const bool right = given == answer;
  std::cout << "  question " << question.number << ": "
            << Paint(color, right ? "\033[32m" : "\033[31m")
            << (right ? "right" : absl::StrCat("not right (you answered ", given, ")"))
            << Paint(color, "\033[0m") << "\n";
  for (const auto& [letter, text] : question.options) {
    auto it = why.find(question.number + letter);
    std::cout << "    " << letter << ") " << (letter == answer ? "right: " : "wrong: ")
              << (it == why.end() ? std::string("(no explanation)") : it->second) << "\n";
  }
}

// Writes `answers` into the learner's quiz.txt, keeping its other lines.
void SaveAnswers(const fs::path& path, const std::map<std::string, std::string>& answers) {
  static const std::regex kLine(R"(^\s*(\d+)\s*:.*$)");
  std::istringstream lines(lessons::ReadFile(path));
  std::string out;
  std::map<std::string, std::string> left = answers;
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, kLine) && left.count(match[1].str()) != 0) {
      line = absl::StrCat(match[1].str(), ": ", left[match[1].str()]);
      left.erase(match[1].str());
    }
    absl::StrAppend(&out, line, "\n");
  }
  for (const auto& [number, answer] : left) absl::StrAppend(&out, number, ": ", answer, "\n");
  std::ofstream(path, std::ios::trunc) << out;
}

int Interactive(const std::vector<lessons::QuizQuestion>& questions,
                const std::map<std::string, std::string>& key,
                const std::map<std::string, std::string>& why, const fs::path& answers_file) {
  const bool color = lessons::ColorTerminal();
  std::map<std::string, std::string> answers;
  for (const auto& question : questions) {
    std::cout << "\n" << question.number << ". " << question.text << "\n";
    for (const auto& [letter, text] : question.options) {
      std::cout << "   " << letter << ") " << text << "\n";
    }
    std::string given;
    while (true) {
      std::cout << "your answer (" << question.options.begin()->first << "-"
                << question.options.rbegin()->first << ", Enter skips, q stops): " << std::flush;
      if (!std::getline(std::cin, given) || given == "q") {
        given = "q";
        break;
      }
      if (given.empty() || question.options.count(given) != 0) break;
    }
    if (given == "q") break;
    if (given.empty()) continue;
    answers[question.number] = given;
    auto answer = key.find(question.number);
    PrintFeedback(question, given, answer == key.end() ? "" : answer->second, why, color);
  }
  if (!answers.empty()) {
    SaveAnswers(answers_file, answers);
    std::cout << "\nSaved your answers in " << answers_file.string() << "\n";
  }
  return 0;
}

}  // namespace

int QuizCommand(const lessons::Paths& paths, const lessons::Lesson& lesson) {
  const lessons::QuizFiles files = FilesOf(paths, lesson);
  const auto questions = lessons::ParseQuiz(lessons::ReadFile(files.questions));
  const auto key = lessons::ReadAnswers(files.key);
  const auto why = lessons::ReadExplanations(files.why);
  const fs::path answers_file = fs::path(paths.exercises) / lesson.dir / "quiz.txt";
  const bool interactive = isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0;
  if (interactive) {
    Interactive(questions, key, why, answers_file);
  } else {
    std::cout << lessons::ReadFile(files.questions) << "\n";
  }
  const auto given = lessons::ReadAnswers(answers_file);
  for (const auto& question : interactive ? std::vector<lessons::QuizQuestion>() : questions) {
    auto it = given.find(question.number);
    auto answer = key.find(question.number);
    if (it == given.end() || it->second == "?" || it->second.empty()) {
      std::cout << "  question " << question.number << ": not answered\n";
    } else {
      PrintFeedback(question, it->second, answer == key.end() ? "" : answer->second, why, false);
    }
  }
  const lessons::QuizScore score = lessons::ScoreQuiz(key, given);
  std::cout << score.right << " of " << score.questions << " right\n";
  return score.all_right() ? 0 : 1;
}

std::vector<std::string> LintQuizzes(const lessons::Paths& paths,
                                     const std::vector<lessons::Lesson>& all) {
  lessons::QuizMeasures measures;
  std::vector<std::string> problems;
  for (const auto& lesson : all) {
    bool has_quiz = false;
    for (const auto& task : lesson.tasks) has_quiz = has_quiz || task.quiz;
    if (has_quiz) lessons::MeasureQuiz(lesson.id, FilesOf(paths, lesson), measures, problems);
  }
  std::cout << measures.Describe() << "\n";
  for (auto& problem : lessons::MeasureProblems(measures)) problems.push_back(std::move(problem));
  return problems;
}

}  // namespace course::cli
