#include "course/manifest.h"

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

int Lesson::MaxPoints() const {
  int total = 0;
  for (const auto& task : tasks) total += task.points;
  return total;
}

int MaxPoints(const std::vector<Lesson>& lessons) {
  int total = 0;
  for (const auto& lesson : lessons) total += lesson.MaxPoints();
  return total;
}

Paths DefaultPaths() {
  Paths paths;
  paths.source = COURSE_SOURCE_DIR;
  paths.build = COURSE_BUILD_DIR;
  paths.exercises = paths.source + "/exercises";
  paths.state = paths.source + "/.course/state.json";
  return paths;
}

namespace {

Lesson ParseLesson(const json& item) {
  Lesson lesson;
  lesson.id = item.at("id").get<std::string>();
  lesson.dir = item.at("dir").get<std::string>();
  lesson.title = item.at("title").get<std::string>();
  lesson.hints = item.value("hints", std::vector<std::string>{});
  for (const auto& t : item.at("tasks")) {
    Task task;
    task.n = t.at("n").get<int>();
    task.title = t.at("title").get<std::string>();
    task.points = t.value("points", 1);
    task.checks = t.value("checks", std::vector<std::string>{});
    task.tests = t.value("tests", std::vector<std::string>{});
    task.quiz = t.value("quiz", false);
    lesson.tasks.push_back(task);
  }
  return lesson;
}

}  // namespace

absl::StatusOr<std::vector<Lesson>> LoadLessons(const Paths& paths) {
  const fs::path manifest = fs::path(paths.source) / "lessons" / "manifest.json";
  json parsed = json::parse(ReadFile(manifest), nullptr, false);
  if (!parsed.is_object() || !parsed.contains("lessons")) {
    return absl::NotFoundError(absl::StrCat("cannot read the lesson manifest ", manifest.string()));
  }
  std::vector<Lesson> lessons;
  try {
    for (const auto& item : parsed["lessons"]) lessons.push_back(ParseLesson(item));
  } catch (const json::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("the lesson manifest is malformed: ", e.what()));
  }
  return lessons;
}

absl::StatusOr<const Lesson*> FindLesson(const std::vector<Lesson>& lessons,
                                         const std::string& id) {
  for (const auto& lesson : lessons) {
    if (lesson.id == id || lesson.dir == id) return &lesson;
  }
  return absl::NotFoundError(absl::StrCat("no lesson ", id, " (see `./course status`)"));
}

absl::StatusOr<std::vector<Lesson>> SelectLessons(const std::vector<Lesson>& all,
                                                  const std::vector<std::string>& ids) {
  std::vector<Lesson> chosen;
  for (const auto& lesson : all) {
    if (ids.empty() || std::find(ids.begin(), ids.end(), lesson.id) != ids.end()) {
      chosen.push_back(lesson);
    }
  }
  if (chosen.empty()) return absl::NotFoundError("no such lesson to grade");
  return chosen;
}

namespace {

std::set<std::string> Names(const fs::path& dir) {
  std::set<std::string> found;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) {
    found.insert(entry.path().filename().string());
  }
  return found;
}

// Whether a hint holds code rather than names: a `quoted` span with a call,
// a statement, a block, an assignment or a member access through a pointer.
bool ShowsCode(const std::string& hint) {
  std::size_t at = 0;
  while ((at = hint.find('`', at)) != std::string::npos) {
    const std::size_t end = hint.find('`', at + 1);
    if (end == std::string::npos) break;
    const std::string span = hint.substr(at + 1, end - at - 1);
    if (span.find_first_of("(;{=") != std::string::npos || span.find("->") != std::string::npos) {
      return true;
    }
    at = end + 1;
  }
  return false;
}

void LintLesson(const fs::path& root, const Lesson& lesson, std::vector<std::string>& problems) {
  if (lesson.dir.rfind(lesson.id + "-", 0) != 0) {
    problems.push_back(lesson.dir + ": the folder must start with the lesson id " + lesson.id);
  }
  for (const char* part : {"README.md", "QUIZ.md"}) {
    if (!fs::exists(root / "lessons" / lesson.dir / part)) {
      problems.push_back(absl::StrCat("lessons/", lesson.dir, "/", part, " is missing"));
    }
  }
  const auto exercise = Names(root / "exercises" / lesson.dir);
  auto solution = Names(root / "solutions" / lesson.dir);
  // Why each quiz option is right or wrong: beside the key, in solutions/ only.
  if (solution.erase("quiz-why.txt") == 0 && exercise.count("quiz.txt") != 0) {
    problems.push_back("solutions/" + lesson.dir + "/quiz-why.txt is missing");
  }
  if (exercise.empty()) problems.push_back("exercises/" + lesson.dir + " is missing or empty");
  if (exercise != solution) {
    problems.push_back(lesson.dir + ": exercises/ and solutions/ hold different file names");
  }
  if (exercise.count("quiz.txt") == 0) problems.push_back(lesson.dir + ": no quiz.txt");
  if (lesson.hints.size() < 2) problems.push_back(lesson.dir + ": fewer than 2 hints");
  for (std::size_t i = 0; i + 1 < lesson.hints.size(); ++i) {
    if (ShowsCode(lesson.hints[i])) {
      problems.push_back(absl::StrCat(lesson.dir, ": hint ", i + 1,
                                      " shows code; only the last hint may (idea, API, shape)"));
    }
  }
  if (lesson.tasks.empty()) problems.push_back(lesson.dir + ": no tasks");
  for (const auto& task : lesson.tasks) {
    const std::string where = absl::StrCat(lesson.dir, " task ", task.n);
    if (task.points <= 0) problems.push_back(where + ": no points");
    for (const auto& pattern : task.checks) {
      const auto& checks = harness::AllChecks();
      const bool matched = std::any_of(checks.begin(), checks.end(), [&](const auto& check) {
        return MatchesAny(check.id, {pattern});
      });
      if (!matched) problems.push_back(absl::StrCat(where, ": no check matches ", pattern));
    }
    if (task.checks.empty() && task.tests.empty() && !task.quiz) {
      problems.push_back(where + ": nothing grades it");
    }
  }
}

// "NN-slug" or "NNx-slug": two digits, an optional lowercase letter, a dash.
bool LooksLikeLessonFolder(const std::string& name) {
  if (name.size() < 4 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
      !std::isdigit(static_cast<unsigned char>(name[1]))) {
    return false;
  }
  const std::size_t dash = std::islower(static_cast<unsigned char>(name[2])) ? 3 : 2;
  return name.size() > dash + 1 && name[dash] == '-';
}

}  // namespace

std::vector<std::string> LintProblems(const Paths& paths, const std::vector<Lesson>& lessons) {
  std::vector<std::string> problems;
  const fs::path root(paths.source);
  std::set<std::string> listed;
  for (std::size_t i = 0; i < lessons.size(); ++i) {
    listed.insert(lessons[i].dir);
    LintLesson(root, lessons[i], problems);
    if (!LooksLikeLessonFolder(lessons[i].dir)) {
      problems.push_back(lessons[i].dir + ": a lesson folder is NN-slug or NNx-slug");
    }
    if (i > 0 && !(lessons[i - 1].id < lessons[i].id)) {
      problems.push_back(absl::StrCat(lessons[i].dir, ": lesson ids must be listed in order (",
                                      lessons[i - 1].id, " comes before ", lessons[i].id, ")"));
    }
  }
  for (const char* tree : {"lessons", "exercises", "solutions"}) {
    for (const auto& name : Names(root / tree)) {
      if (LooksLikeLessonFolder(name) && listed.count(name) == 0) {
        problems.push_back(absl::StrCat(tree, "/", name, " is not in lessons/manifest.json"));
      }
    }
  }
  return problems;
}

}  // namespace course::lessons
