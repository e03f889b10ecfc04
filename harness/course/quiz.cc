#include "course/quiz.h"

#include <cctype>
#include <sstream>

#include "course/text.h"

namespace course::lessons {

namespace {

std::string Trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r");
  const auto last = text.find_last_not_of(" \t\r");
  if (first == std::string::npos) return std::string();
  text = text.substr(first, last - first + 1);
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::map<std::string, std::string> ReadAnswers(const std::filesystem::path& path) {
  std::map<std::string, std::string> answers;
  std::istringstream lines(ReadFile(path));
  for (std::string line; std::getline(lines, line);) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    answers[Trimmed(line.substr(0, colon))] = Trimmed(line.substr(colon + 1));
  }
  return answers;
}

QuizScore ScoreQuiz(const std::map<std::string, std::string>& key,
                    const std::map<std::string, std::string>& given) {
  QuizScore score;
  score.questions = static_cast<int>(key.size());
  for (const auto& [question, answer] : key) {
    auto it = given.find(question);
    if (it != given.end() && it->second == answer) ++score.right;
  }
  return score;
}

}  // namespace course::lessons
