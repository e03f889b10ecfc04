#include "course/quiz.h"

#include <cctype>
#include <regex>
#include <sstream>

#include "absl/strings/str_cat.h"
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

namespace {

// Splits "a) one  b) two" into {"a": "one", "b": "two"}; empty when the line
// does not start with an option.
std::map<std::string, std::string> OptionsOnLine(const std::string& line) {
  static const std::regex kOption(R"((^|\s{2,})([a-d])\)\s)");
  std::map<std::string, std::string> options;
  std::vector<std::pair<std::string, std::size_t>> starts;  // letter, where its text starts
  std::vector<std::size_t> ends;
  for (std::sregex_iterator it(line.begin(), line.end(), kOption), end; it != end; ++it) {
    if (starts.empty() && it->position(0) != 0) return {};
    ends.push_back(static_cast<std::size_t>(it->position(0)));
    starts.emplace_back((*it)[2].str(), static_cast<std::size_t>(it->position(0) + it->length(0)));
  }
  for (std::size_t i = 0; i < starts.size(); ++i) {
    const std::size_t end = i + 1 < ends.size() ? ends[i + 1] : line.size();
    options[starts[i].first] = line.substr(starts[i].second, end - starts[i].second);
  }
  return options;
}

std::string Stripped(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) return std::string();
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

}  // namespace

std::vector<QuizQuestion> ParseQuiz(const std::string& markdown) {
  static const std::regex kQuestion(R"(^(\d+)\.\s+(.*)$)");
  std::vector<QuizQuestion> questions;
  std::string last_option;
  std::istringstream lines(markdown);
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, kQuestion)) {
      questions.push_back({match[1].str(), Stripped(match[2].str()), {}});
      last_option.clear();
      continue;
    }
    const std::string text = Stripped(line);
    if (questions.empty() || text.empty()) continue;
    QuizQuestion& question = questions.back();
    if (auto options = OptionsOnLine(text); !options.empty()) {
      for (auto& [letter, option] : options) question.options[letter] = Stripped(option);
      last_option = options.rbegin()->first;
    } else if (!last_option.empty()) {
      absl::StrAppend(&question.options[last_option], " ", text);
    } else {
      absl::StrAppend(&question.text, " ", text);
    }
  }
  return questions;
}

std::map<std::string, std::string> ReadExplanations(const std::filesystem::path& path) {
  static const std::regex kLine(R"(^(\d+[a-d]):\s*(.*)$)");
  std::map<std::string, std::string> why;
  std::istringstream lines(ReadFile(path));
  for (std::string line; std::getline(lines, line);) {
    std::smatch match;
    if (std::regex_match(line, match, kLine)) why[match[1].str()] = Stripped(match[2].str());
  }
  return why;
}

void MeasureQuiz(const std::string& lesson_id, const QuizFiles& files, QuizMeasures& measures,
                 std::vector<std::string>& problems) {
  const std::vector<QuizQuestion> questions = ParseQuiz(ReadFile(files.questions));
  const auto key = ReadAnswers(files.key);
  const auto why = ReadExplanations(files.why);
  if (questions.size() != key.size()) {
    problems.push_back(absl::StrCat("lesson ", lesson_id, ": ", questions.size(),
                                    " quiz questions but ", key.size(), " answers in the key"));
  }
  for (const QuizQuestion& question : questions) {
    const std::string where =
        absl::StrCat("lesson ", lesson_id, " quiz question ", question.number);
    auto answer = key.find(question.number);
    if (answer == key.end() || question.options.count(answer->second) == 0) {
      problems.push_back(where + ": the key names none of its options");
      continue;
    }
    ++measures.questions;
    ++measures.answers[answer->second];
    bool longest = true;
    const std::size_t length = question.options.at(answer->second).size();
    for (const auto& [letter, text] : question.options) {
      if (letter != answer->second && text.size() >= length) longest = false;
      if (why.count(question.number + letter) == 0) {
        problems.push_back(absl::StrCat(where, ": no explanation for option ", letter, " in ",
                                        files.why.string()));
      }
    }
    if (longest) ++measures.correct_longest;
  }
}

std::string QuizMeasures::Describe() const {
  std::string text = absl::StrCat(questions, " quiz questions; answers");
  for (const char* letter : {"a", "b", "c", "d"}) {
    const int count = answers.count(letter) != 0 ? answers.at(letter) : 0;
    absl::StrAppend(&text, " ", letter, ": ", count, " (", questions ? 100 * count / questions : 0,
                    "%)");
  }
  absl::StrAppend(&text, "; the right option is strictly the longest in ", correct_longest, " (",
                  questions ? 100 * correct_longest / questions : 0, "%)");
  return text;
}

std::vector<std::string> MeasureProblems(const QuizMeasures& measures) {
  std::vector<std::string> problems;
  if (measures.questions == 0) return problems;
  for (const char* letter : {"a", "b", "c", "d"}) {
    const int count = measures.answers.count(letter) != 0 ? measures.answers.at(letter) : 0;
    if (count == 0) problems.push_back(absl::StrCat("no quiz question is answered ", letter));
    if (100 * count > 35 * measures.questions) {
      problems.push_back(absl::StrCat(letter, " answers ", count, " of ", measures.questions,
                                      " quiz questions (at most 35% may share a letter)"));
    }
  }
  if (100 * measures.correct_longest > 40 * measures.questions) {
    problems.push_back(absl::StrCat("the right option is strictly the longest in ",
                                    measures.correct_longest, " of ", measures.questions,
                                    " quiz questions (at most 40%)"));
  }
  return problems;
}

}  // namespace course::lessons
