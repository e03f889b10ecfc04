#include "cli/learn.h"

#include <fnmatch.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "core/child_process.h"
#include "core/report.h"
#include "core/runner.h"
#include "core/target.h"

namespace course::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr char kLessonToken[] = "lesson-token";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool Matches(const std::string& name, const std::vector<std::string>& patterns) {
  for (const auto& pattern : patterns) {
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

const char* Paint(bool color, const char* code) { return color ? code : ""; }

json LoadState(const Paths& paths) {
  if (paths.state.empty() || !fs::exists(paths.state)) return json::object();
  json state = json::parse(ReadFile(paths.state), nullptr, false);
  return state.is_object() ? state : json::object();
}

void SaveState(const Paths& paths, const json& state) {
  if (paths.state.empty()) return;
  std::error_code ignored;
  fs::create_directories(fs::path(paths.state).parent_path(), ignored);
  std::string error;
  harness::WriteFileAtomically(paths.state, state.dump(2) + "\n", &error);
}

// A lesson's entry in the state, always an object: operator[] creates a null
// for a lesson not seen before, and null.value(...) throws.
json& LessonState(json& state, const std::string& id) {
  json& entry = state["lessons"][id];
  if (!entry.is_object()) entry = json::object();
  return entry;
}

const Lesson* FindLesson(const std::vector<Lesson>& lessons, const std::string& id) {
  for (const auto& lesson : lessons) {
    if (lesson.id == id || lesson.dir == id) return &lesson;
  }
  return nullptr;
}

// quiz.txt: lines `N: answer`; `#` comments; `?` means not answered.
std::map<std::string, std::string> ReadAnswers(const fs::path& path) {
  std::map<std::string, std::string> answers;
  std::istringstream lines(ReadFile(path));
  for (std::string line; std::getline(lines, line);) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto trim = [](std::string text) {
      const auto first = text.find_first_not_of(" \t\r");
      const auto last = text.find_last_not_of(" \t\r");
      if (first == std::string::npos) return std::string();
      text = text.substr(first, last - first + 1);
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return text;
    };
    answers[trim(line.substr(0, colon))] = trim(line.substr(colon + 1));
  }
  return answers;
}

std::string FirstErrorLines(const std::string& log, int count) {
  std::istringstream lines(log);
  std::string out;
  int kept = 0;
  for (std::string line; std::getline(lines, line) && kept < count;) {
    if (line.find("error") != std::string::npos || kept > 0) {
      out += "    " + line + "\n";
      ++kept;
    }
  }
  return out.empty() ? log.substr(0, 2000) : out;
}

void RunServerChecks(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
                     LessonResult& result) {
  std::vector<std::string> patterns;
  for (const auto& task : lesson.tasks)
    patterns.insert(patterns.end(), task.checks.begin(), task.checks.end());
  if (patterns.empty()) return;
  const std::string binary =
      absl::StrCat(paths.build, "/lessons/lesson-", lesson.id, "-", options.side);
  auto target = harness::MakeProcessTarget(absl::StrCat("'", binary, "' --token ", kLessonToken),
                                           kLessonToken, std::chrono::seconds(10), options.limits);
  if (!target.ok()) {
    result.ran = false;
    result.problem = absl::StrCat("the lesson's server did not start: ", target.status().message());
    return;
  }
  harness::RunOptions run;
  run.seed = options.seed;
  run.rpc_deadline = std::chrono::milliseconds(3000);
  run.check_bound = options.check_bound;
  const auto lesson_deadline = std::chrono::steady_clock::now() + options.lesson_bound;
  std::map<std::string, harness::CheckResult> by_id;
  for (const auto& check : harness::AllChecks()) {
    if (!Matches(check.id, patterns)) continue;
    if (std::chrono::steady_clock::now() >= lesson_deadline) {
      harness::CheckResult late;
      late.id = check.id;
      late.rule = check.rule;
      late.outcome = harness::Outcome::kFail;
      late.finding.message = absl::StrCat("not run: the lesson's time limit of ",
                                          options.lesson_bound.count(), " s was used up");
      by_id[check.id] = late;
      continue;
    }
    by_id[check.id] = harness::RunCheck(**target, check, run);
  }
  if (auto* process = (*target)->Process(); process != nullptr) {
    // Did the server die under the checks? Say so: it explains the failures.
    if (std::optional<std::string> how = process->EndedHow()) {
      result.server_note =
          absl::StrCat("the server ", *how, " during the checks; last lines of its stderr:\n",
                       process->StderrTail());
    }
  }
  for (auto& task_result : result.tasks) {
    const Task& task = *task_result.task;
    if (task.checks.empty()) continue;
    bool any = false;
    for (const auto& [id, check] : by_id) {
      if (!Matches(id, task.checks)) continue;
      any = true;
      if (check.outcome == harness::Outcome::kPass || check.outcome == harness::Outcome::kSkip)
        continue;
      const harness::Finding& f = check.finding;
      std::string text = absl::StrCat(id, " (", check.rule, "): ", f.message);
      if (!f.received.empty()) {
        std::string received = f.received;
        for (std::size_t at = received.find('\n'); at != std::string::npos;
             at = received.find('\n', at + 12)) {
          received.replace(at, 1, "\n           ");
        }
        absl::StrAppend(&text, "\n      got: ", received);
      }
      if (!f.expected.empty()) absl::StrAppend(&text, "\n      expected: ", f.expected);
      if (!f.hint.empty()) absl::StrAppend(&text, "\n      hint: ", f.hint);
      if (!f.reproduce.empty()) absl::StrAppend(&text, "\n      try it: ", f.reproduce);
      task_result.failures.push_back(text);
    }
    if (!any)
      task_result.failures.push_back("no conformance check matches this task (manifest error)");
  }
}

void RunTests(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
              LessonResult& result) {
  bool wanted = false;
  for (const auto& task : lesson.tasks) wanted = wanted || !task.tests.empty();
  if (!wanted) return;
  const std::string binary =
      absl::StrCat(paths.build, "/lessons/lesson-", lesson.id, "-", options.side, "-tests");
  // In the binary's own folder: a test run under a grading uid can write there.
  const fs::path report = fs::path(binary).parent_path() /
                          absl::StrCat("course-", getpid(), "-", lesson.id, "-tests.json");
  // Tests that start the lesson's server must use this side's (and, when
  // grading, the submission's) build of it: see lessons/kit/lesson_server.h.
  const harness::RunResult run = harness::RunToEnd(
      {binary, "--gtest_output=json:" + report.string(),
       absl::StrCat("--gtest_random_seed=", options.seed % 99999)},
      std::min<std::chrono::seconds>(options.lesson_bound, std::chrono::seconds(120)),
      options.limits, "",
      {absl::StrCat("COURSE_LESSON_SERVER=", paths.build, "/lessons/lesson-", lesson.id, "-",
                    options.side)});
  const int code = run.code;
  const std::string& output = run.output;
  std::map<std::string, std::string> failures;  // Suite.Test -> message ("" = passed)
  json parsed = json::parse(ReadFile(report), nullptr, false);
  std::error_code ignored;
  fs::remove(report, ignored);
  if (!parsed.is_object()) {
    result.ran = false;
    result.problem = absl::StrCat("the lesson's tests did not run to the end (exit ", code, "):\n",
                                  output.substr(0, 3000));
    return;
  }
  for (const auto& suite : parsed.value("testsuites", json::array())) {
    for (const auto& test : suite.value("testsuite", json::array())) {
      const std::string name = suite.value("name", "") + "." + test.value("name", "");
      std::string message;
      for (const auto& failure : test.value("failures", json::array())) {
        message += failure.value("failure", "") + "\n";
      }
      failures[name] = message;
    }
  }
  for (auto& task_result : result.tasks) {
    const Task& task = *task_result.task;
    if (task.tests.empty()) continue;
    bool any = false;
    for (const auto& [name, message] : failures) {
      if (!Matches(name, task.tests)) continue;
      any = true;
      if (!message.empty()) task_result.failures.push_back(name + ": " + message.substr(0, 1500));
    }
    if (!any) task_result.failures.push_back("no test matches this task (manifest error)");
  }
}

void GradeQuiz(const Lesson& lesson, const Paths& paths, const CheckOptions& options,
               LessonResult& result) {
  const fs::path mine = options.side == "solution"
                            ? fs::path(paths.source) / "solutions" / lesson.dir / "quiz.txt"
                            : fs::path(paths.exercises) / lesson.dir / "quiz.txt";
  const auto key = ReadAnswers(fs::path(paths.source) / "solutions" / lesson.dir / "quiz.txt");
  const auto given = ReadAnswers(mine);
  for (auto& task_result : result.tasks) {
    if (!task_result.task->quiz) continue;
    int right = 0;
    for (const auto& [question, answer] : key) {
      auto it = given.find(question);
      if (it != given.end() && it->second == answer) ++right;
    }
    if (right != static_cast<int>(key.size())) {
      task_result.failures.push_back(
          absl::StrCat(right, " of ", key.size(), " quiz answers are right in ", mine.string(),
                       " (`./course quiz ", lesson.id, "` shows the questions)"));
    }
  }
}

}  // namespace

int Lesson::MaxPoints() const {
  int total = 0;
  for (const auto& task : tasks) total += task.points;
  return total;
}

bool LessonResult::passed() const {
  if (!ran) return false;
  for (const auto& task : tasks) {
    if (!task.passed) return false;
  }
  return true;
}

Paths DefaultPaths() {
  Paths paths;
  paths.source = COURSE_SOURCE_DIR;
  paths.build = COURSE_BUILD_DIR;
  paths.exercises = paths.source + "/exercises";
  paths.state = paths.source + "/.course/state.json";
  return paths;
}

std::vector<Lesson> LoadLessons(const Paths& paths, std::string* error) {
  std::vector<Lesson> lessons;
  const fs::path manifest = fs::path(paths.source) / "lessons" / "manifest.json";
  json parsed = json::parse(ReadFile(manifest), nullptr, false);
  if (!parsed.is_object() || !parsed.contains("lessons")) {
    *error = absl::StrCat("cannot read the lesson manifest ", manifest.string());
    return lessons;
  }
  try {
    for (const auto& item : parsed["lessons"]) {
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
      lessons.push_back(std::move(lesson));
    }
  } catch (const json::exception& e) {
    *error = absl::StrCat("the lesson manifest is malformed: ", e.what());
    lessons.clear();
  }
  return lessons;
}

LessonResult CheckLesson(const Lesson& lesson, const Paths& paths, const CheckOptions& options) {
  LessonResult result;
  result.ran = true;
  for (const auto& task : lesson.tasks) result.tasks.push_back({&task, false, {}});
  if (options.build) {
    const harness::RunResult built =
        harness::RunToEnd({"cmake", "--build", paths.build, "--target",
                           absl::StrCat("lesson-", lesson.id), "--", "-j2"},
                          std::chrono::seconds(600));
    if (built.code != 0) {
      result.ran = false;
      result.problem =
          absl::StrCat("the lesson does not build:\n", FirstErrorLines(built.output, 12));
      return result;
    }
  }
  RunServerChecks(lesson, paths, options, result);
  if (result.ran) RunTests(lesson, paths, options, result);
  GradeQuiz(lesson, paths, options, result);
  for (auto& task : result.tasks) {
    task.passed = result.ran && task.failures.empty();
    if (task.passed) result.points += task.task->points;
  }
  return result;
}

void PrintLessonResult(const Lesson& lesson, const LessonResult& result,
                       const CheckOptions& options, const Paths& paths) {
  const bool c = options.color;
  std::cout << Paint(c, "\033[1m") << "Lesson " << lesson.id << " · " << lesson.title
            << Paint(c, "\033[0m") << " (" << options.side << ")\n";
  if (!result.ran) {
    std::cout << Paint(c, "\033[31m") << "  could not check: " << Paint(c, "\033[0m")
              << result.problem << "\n";
  }
  if (!result.server_note.empty()) std::cout << "  note: " << result.server_note << "\n";
  bool shown_detail = false;
  for (const auto& task : result.tasks) {
    const Task& t = *task.task;
    std::cout << "  " << (task.passed ? Paint(c, "\033[32m") : Paint(c, "\033[31m"))
              << (task.passed ? "PASS" : "FAIL") << Paint(c, "\033[0m") << " task " << t.n << "  "
              << t.title << "  (" << (task.passed ? t.points : 0) << "/" << t.points << ")\n";
    if (task.passed || !result.ran) continue;
    // The first failing task in detail; the others in one line each.
    if (!shown_detail && !task.failures.empty()) {
      std::cout << "      " << task.failures.front() << "\n";
      shown_detail = true;
    }
    std::cout << "      -> TODO(task " << t.n << ") in " << paths.exercises << "/" << lesson.dir
              << "/\n";
  }
  std::cout << "  score " << result.points << "/" << lesson.MaxPoints();
  if (!result.passed()) std::cout << "   stuck? ./course hint " << lesson.id;
  std::cout << "\n";
}

int StatusCommand(const Paths& paths) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  if (!error.empty()) {
    std::cerr << "course: " << error << "\n";
    return 2;
  }
  json state = LoadState(paths);
  const bool color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
  std::cout << Paint(color, "\033[1m") << "gRPC course" << Paint(color, "\033[0m") << "\n";
  const Lesson* next = nullptr;
  for (const auto& lesson : lessons) {
    const json entry = state.value("lessons", json::object()).value(lesson.id, json::object());
    const std::string status = entry.value("status", "not started");
    const char* paint = status == "passing"   ? "\033[32m"
                        : status == "failing" ? "\033[31m"
                                              : "\033[2m";
    std::cout << "  " << lesson.id << "  " << lesson.title;
    for (std::size_t i = lesson.title.size(); i < 44; ++i) std::cout << ' ';
    std::cout << Paint(color, paint) << status << Paint(color, "\033[0m");
    if (entry.contains("points")) {
      std::cout << "  " << entry["points"].get<int>() << "/" << lesson.MaxPoints();
    }
    std::cout << "\n";
    if (next == nullptr && status != "passing") next = &lesson;
  }
  if (next == nullptr) {
    std::cout << "\nEvery lesson passes. `./course conform` checks any server against the whole "
                 "contract.\n";
  } else {
    std::cout << "\nNext: read lessons/" << next->dir << "/README.md, edit exercises/" << next->dir
              << "/, then run `./course check " << next->id << "` (or `./course watch " << next->id
              << "`).\n";
  }
  return 0;
}

int CheckCommand(const Paths& paths, const std::string& requested, const CheckOptions& options) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  if (!error.empty()) {
    std::cerr << "course: " << error << "\n";
    return 2;
  }
  json state = LoadState(paths);
  std::string id = requested;
  if (id.empty()) {  // the first lesson that does not pass yet
    for (const auto& lesson : lessons) {
      if (LessonState(state, lesson.id).value("status", "") != "passing") {
        id = lesson.id;
        break;
      }
    }
    if (id.empty() && !lessons.empty()) id = lessons.back().id;
  }
  const Lesson* lesson = FindLesson(lessons, id);
  if (lesson == nullptr) {
    std::cerr << "course: no lesson " << id << " (see `./course status`)\n";
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  LessonResult result = CheckLesson(*lesson, paths, options);
  PrintLessonResult(*lesson, result, options, paths);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", seconds);
  std::cout << "  checked in " << took << " s\n";
  if (options.side == "exercise") {
    json& entry = state["lessons"][lesson->id];
    entry["status"] = result.passed() ? "passing" : "failing";
    entry["points"] = result.points;
    SaveState(paths, state);
  }
  if (!result.ran) return 2;
  return result.passed() ? 0 : 1;
}

int WatchCommand(const Paths& paths, const std::string& id, const CheckOptions& options) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  const Lesson* lesson = FindLesson(lessons, id.empty() ? std::string("02") : id);
  if (lesson == nullptr) {
    std::cerr << "course: no lesson " << id << "\n";
    return 2;
  }
  const std::string dir = paths.exercises + "/" + lesson->dir;
  const int fd = inotify_init1(IN_CLOEXEC);
  const bool notify =
      fd >= 0 && inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) >= 0;
  CheckCommand(paths, lesson->id, options);
  std::cout << "\nwatching " << dir << (notify ? "" : " (no inotify here: press Enter to re-check)")
            << "; Enter re-checks, q then Enter quits\n";
  while (true) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
    const int ready = poll(fds, notify ? 2 : 1, -1);
    if (ready < 0) break;
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      std::string line;
      if (!std::getline(std::cin, line) || line == "q") break;
    }
    if (notify && (fds[1].revents & POLLIN)) {
      char buffer[4096];
      (void)!read(fd, buffer, sizeof buffer);
      // Editors write in bursts; let the burst end before building.
      pollfd settle{fd, POLLIN, 0};
      while (poll(&settle, 1, 300) > 0) (void)!read(fd, buffer, sizeof buffer);
    }
    std::cout << "\n";
    CheckCommand(paths, lesson->id, options);
  }
  if (fd >= 0) close(fd);
  return 0;
}

int HintCommand(const Paths& paths, const std::string& id) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  const Lesson* lesson = FindLesson(lessons, id);
  if (lesson == nullptr) {
    std::cerr << "course: no lesson " << id << "\n";
    return 2;
  }
  json state = LoadState(paths);
  json& entry = LessonState(state, lesson->id);
  const int shown =
      std::min<int>(entry.value("hints", 0) + 1, static_cast<int>(lesson->hints.size()));
  for (int i = 0; i < shown; ++i) {
    std::cout << "hint " << i + 1 << "/" << lesson->hints.size() << ": " << lesson->hints[i]
              << "\n";
  }
  if (shown == static_cast<int>(lesson->hints.size())) {
    std::cout << "(that was the last hint; `./course solution " << lesson->id
              << "` opens once the lesson passes, or with --force)\n";
  }
  entry["hints"] = shown;
  SaveState(paths, state);
  return 0;
}

int QuizCommand(const Paths& paths, const std::string& id) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  const Lesson* lesson = FindLesson(lessons, id);
  if (lesson == nullptr) {
    std::cerr << "course: no lesson " << id << "\n";
    return 2;
  }
  std::cout << ReadFile(fs::path(paths.source) / "lessons" / lesson->dir / "QUIZ.md") << "\n";
  const auto key = ReadAnswers(fs::path(paths.source) / "solutions" / lesson->dir / "quiz.txt");
  const auto given = ReadAnswers(fs::path(paths.exercises) / lesson->dir / "quiz.txt");
  int right = 0;
  for (const auto& [question, answer] : key) {
    auto it = given.find(question);
    const bool ok = it != given.end() && it->second == answer;
    right += ok ? 1 : 0;
    std::cout << "  question " << question << ": "
              << (it == given.end() || it->second == "?" ? "not answered"
                  : ok                                   ? "right"
                                                         : "not right yet")
              << "\n";
  }
  std::cout << right << " of " << key.size() << " right\n";
  return right == static_cast<int>(key.size()) ? 0 : 1;
}

int SolutionCommand(const Paths& paths, const std::string& id, bool force) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  const Lesson* lesson = FindLesson(lessons, id);
  if (lesson == nullptr) {
    std::cerr << "course: no lesson " << id << "\n";
    return 2;
  }
  json state = LoadState(paths);
  if (!force && LessonState(state, lesson->id).value("status", "") != "passing") {
    std::cout << "Lesson " << lesson->id
              << " does not pass yet: the solution opens once it does (`./course check "
              << lesson->id << "`), or with --force.\n";
    return 1;
  }
  const fs::path dir = fs::path(paths.source) / "solutions" / lesson->dir;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::cout << "==> " << file.string() << " <==\n" << ReadFile(file) << "\n";
  }
  return 0;
}

int ResetCommand(const Paths& paths, const std::string& id) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  const Lesson* lesson = FindLesson(lessons, id);
  if (lesson == nullptr) {
    std::cerr << "course: no lesson " << id << "\n";
    return 2;
  }
  const fs::path dir = fs::path(paths.exercises) / lesson->dir;
  const fs::path backup = fs::path(paths.source) / ".course" / "backup" /
                          absl::StrCat(lesson->dir, "-", std::time(nullptr));
  std::error_code failed;
  fs::create_directories(backup.parent_path(), failed);
  fs::copy(dir, backup, fs::copy_options::recursive, failed);
  if (failed) {
    std::cerr << "course: could not back up " << dir.string() << ": " << failed.message()
              << "; nothing was reset\n";
    return 2;
  }
  const harness::RunResult restored =
      harness::RunToEnd({"git", "-C", paths.source, "checkout", "HEAD", "--",
                         (fs::path("exercises") / lesson->dir).string()},
                        std::chrono::seconds(30));
  if (restored.code != 0) {
    std::cerr << "course: git could not restore " << dir.string() << ":\n"
              << restored.output << "\n";
    return 2;
  }
  json state = LoadState(paths);
  state["lessons"].erase(lesson->id);
  SaveState(paths, state);
  std::cout << "Reset " << dir.string() << " to the committed stub; your files are kept in "
            << backup.string() << "\n";
  return 0;
}

int LintCommand(const Paths& paths) {
  std::string error;
  auto lessons = LoadLessons(paths, &error);
  std::vector<std::string> problems;
  if (!error.empty()) problems.push_back(error);
  std::set<std::string> listed;
  const fs::path root(paths.source);
  auto names = [](const fs::path& dir) {
    std::set<std::string> found;
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir, ignored)) {
      found.insert(entry.path().filename().string());
    }
    return found;
  };
  for (const auto& lesson : lessons) {
    listed.insert(lesson.dir);
    if (lesson.dir.rfind(lesson.id + "-", 0) != 0) {
      problems.push_back(lesson.dir + ": the folder must start with the lesson id " + lesson.id);
    }
    for (const char* part : {"README.md", "QUIZ.md"}) {
      if (!fs::exists(root / "lessons" / lesson.dir / part)) {
        problems.push_back(absl::StrCat("lessons/", lesson.dir, "/", part, " is missing"));
      }
    }
    const auto exercise = names(root / "exercises" / lesson.dir);
    const auto solution = names(root / "solutions" / lesson.dir);
    if (exercise.empty()) problems.push_back("exercises/" + lesson.dir + " is missing or empty");
    if (exercise != solution) {
      problems.push_back(lesson.dir + ": exercises/ and solutions/ hold different file names");
    }
    if (exercise.count("quiz.txt") == 0) problems.push_back(lesson.dir + ": no quiz.txt");
    if (lesson.hints.size() < 2) problems.push_back(lesson.dir + ": fewer than 2 hints");
    if (lesson.tasks.empty()) problems.push_back(lesson.dir + ": no tasks");
    for (const auto& task : lesson.tasks) {
      if (task.points <= 0)
        problems.push_back(absl::StrCat(lesson.dir, " task ", task.n, ": no points"));
      for (const auto& pattern : task.checks) {
        bool matched = false;
        for (const auto& check : harness::AllChecks())
          matched = matched || Matches(check.id, {pattern});
        if (!matched)
          problems.push_back(
              absl::StrCat(lesson.dir, " task ", task.n, ": no check matches ", pattern));
      }
      if (task.checks.empty() && task.tests.empty() && !task.quiz) {
        problems.push_back(absl::StrCat(lesson.dir, " task ", task.n, ": nothing grades it"));
      }
    }
  }
  for (const char* tree : {"lessons", "exercises", "solutions"}) {
    for (const auto& name : names(root / tree)) {
      if (name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) &&
          std::isdigit(static_cast<unsigned char>(name[1])) && name[2] == '-' &&
          listed.count(name) == 0) {
        problems.push_back(absl::StrCat(tree, "/", name, " is not in lessons/manifest.json"));
      }
    }
  }
  for (const auto& problem : problems) std::cout << "problem: " << problem << "\n";
  std::cout << lessons.size() << " lessons, " << problems.size() << " problems\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace course::cli
