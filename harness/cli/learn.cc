// The learner's commands: status, check, watch, hint, quiz, solution, reset,
// and the authoring check lessons-lint. The course layer (course/) does the
// work; this file parses their flags and prints.
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/command.h"
#include "cli/learn.h"
#include "core/child_process.h"
#include "course/manifest.h"
#include "course/state.h"
#include "course/text.h"

namespace course::cli {
namespace fs = std::filesystem;
using lessons::Lesson;
using lessons::Paint;
using lessons::Paths;

namespace {

// The lesson named on the command line, or a message and exit code 2.
struct Found {
  std::vector<Lesson> all;
  const Lesson* lesson = nullptr;
  int code = 0;  // non-zero: the command ends with it
};

Found FindOrSay(const Paths& paths, const std::string& id) {
  Found found;
  auto all = lessons::LoadLessons(paths);
  if (!all.ok()) {
    found.code = CouldNotRun(std::string(all.status().message()));
    return found;
  }
  found.all = *std::move(all);
  auto lesson = lessons::FindLesson(found.all, id);
  if (!lesson.ok()) {
    found.code = CouldNotRun(std::string(lesson.status().message()));
    return found;
  }
  found.lesson = *lesson;
  return found;
}

void PrintStatusLine(const Lesson& lesson, const std::string& status, const nlohmann::json& entry,
                     bool color) {
  const char* paint = status == "passing"   ? "\033[32m"
                      : status == "failing" ? "\033[31m"
                                            : "\033[2m";
  // Ids are "02" or "02a": pad to three so that every title starts in one column.
  std::cout << "  " << lesson.id
            << std::string(lesson.id.size() < 3 ? 4 - lesson.id.size() : 1, ' ') << lesson.title;
  for (std::size_t i = lesson.title.size(); i < 44; ++i) std::cout << ' ';
  std::cout << Paint(color, paint) << status << Paint(color, "\033[0m");
  if (entry.contains("points")) {
    std::cout << "  " << entry["points"].get<int>() << "/" << lesson.MaxPoints();
  }
  std::cout << "\n";
}

int Status(const Paths& paths) {
  auto all = lessons::LoadLessons(paths);
  if (!all.ok()) return CouldNotRun(std::string(all.status().message()));
  lessons::State state = lessons::State::Load(paths);
  const bool color = lessons::ColorTerminal();
  std::cout << Paint(color, "\033[1m") << "gRPC course" << Paint(color, "\033[0m") << "\n";
  const Lesson* next = nullptr;
  for (const auto& lesson : *all) {
    const std::string recorded = state.Status(lesson.id);
    const std::string status = recorded.empty() ? "not started" : recorded;
    PrintStatusLine(lesson, status, state.Lesson(lesson.id), color);
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

int Check(const Paths& paths, std::string id, const lessons::CheckOptions& options) {
  lessons::State state = lessons::State::Load(paths);
  if (id.empty()) {  // the first lesson that does not pass yet
    auto all = lessons::LoadLessons(paths);
    if (!all.ok()) return CouldNotRun(std::string(all.status().message()));
    for (const auto& lesson : *all) {
      if (state.Status(lesson.id) != "passing") {
        id = lesson.id;
        break;
      }
    }
    if (id.empty() && !all->empty()) id = all->back().id;
  }
  Found found = FindOrSay(paths, id);
  if (found.code != 0) return found.code;
  const Lesson& lesson = *found.lesson;
  const auto start = std::chrono::steady_clock::now();
  lessons::LessonResult result = lessons::CheckLesson(lesson, paths, options);
  PrintLessonResult(lesson, result, options, paths);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", seconds);
  std::cout << "  checked in " << took << " s\n";
  if (options.side == "exercise") {
    nlohmann::json& entry = state.Lesson(lesson.id);
    entry["status"] = result.passed() ? "passing" : "failing";
    entry["points"] = result.points;
    state.Save();
  }
  if (!result.ran) return 2;
  return result.passed() ? 0 : 1;
}

int Watch(const Paths& paths, const std::string& id, const lessons::CheckOptions& options) {
  Found found = FindOrSay(paths, id.empty() ? std::string("02") : id);
  if (found.code != 0) return found.code;
  const Lesson& lesson = *found.lesson;
  const std::string dir = paths.exercises + "/" + lesson.dir;
  const int fd = inotify_init1(IN_CLOEXEC);
  const bool notify =
      fd >= 0 && inotify_add_watch(fd, dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE) >= 0;
  Check(paths, lesson.id, options);
  std::cout << "\nwatching " << dir << (notify ? "" : " (no inotify here: press Enter to re-check)")
            << "; Enter re-checks, q then Enter quits\n";
  while (true) {
    pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {fd, POLLIN, 0}};
    if (poll(fds, notify ? 2 : 1, -1) < 0) break;
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
    Check(paths, lesson.id, options);
  }
  if (fd >= 0) close(fd);
  return 0;
}

int Hint(const Paths& paths, const std::string& id) {
  Found found = FindOrSay(paths, id);
  if (found.code != 0) return found.code;
  const Lesson& lesson = *found.lesson;
  lessons::State state = lessons::State::Load(paths);
  nlohmann::json& entry = state.Lesson(lesson.id);
  const int shown =
      std::min<int>(entry.value("hints", 0) + 1, static_cast<int>(lesson.hints.size()));
  for (int i = 0; i < shown; ++i) {
    std::cout << "hint " << i + 1 << "/" << lesson.hints.size() << ": " << lesson.hints[i] << "\n";
  }
  if (shown == static_cast<int>(lesson.hints.size())) {
    std::cout << "(that was the last hint; `./course solution " << lesson.id
              << "` opens once the lesson passes, or with --force)\n";
  }
  entry["hints"] = shown;
  state.Save();
  return 0;
}

int Quiz(const Paths& paths, const std::string& id) {
  Found found = FindOrSay(paths, id);
  if (found.code != 0) return found.code;
  return QuizCommand(paths, *found.lesson);
}

int Solution(const Paths& paths, const std::string& id, bool force) {
  Found found = FindOrSay(paths, id);
  if (found.code != 0) return found.code;
  const Lesson& lesson = *found.lesson;
  if (!force && lessons::State::Load(paths).Status(lesson.id) != "passing") {
    std::cout << "Lesson " << lesson.id
              << " does not pass yet: the solution opens once it does (`./course check "
              << lesson.id << "`), or with --force.\n";
    return 1;
  }
  std::vector<fs::path> files;
  std::error_code ignored;
  const fs::path dir = fs::path(paths.source) / "solutions" / lesson.dir;
  for (const auto& entry : fs::directory_iterator(dir, ignored)) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    std::cout << "==> " << file.string() << " <==\n" << lessons::ReadFile(file) << "\n";
  }
  return 0;
}

int Reset(const Paths& paths, const std::string& id) {
  Found found = FindOrSay(paths, id);
  if (found.code != 0) return found.code;
  const Lesson& lesson = *found.lesson;
  const fs::path dir = fs::path(paths.exercises) / lesson.dir;
  const fs::path backup = fs::path(paths.source) / ".course" / "backup" /
                          absl::StrCat(lesson.dir, "-", std::time(nullptr));
  std::error_code failed;
  fs::create_directories(backup.parent_path(), failed);
  fs::copy(dir, backup, fs::copy_options::recursive, failed);
  if (failed) {
    return CouldNotRun(absl::StrCat("could not back up ", dir.string(), ": ", failed.message(),
                                    "; nothing was reset"));
  }
  const harness::RunResult restored =
      harness::RunToEnd({"git", "-C", paths.source, "checkout", "HEAD", "--",
                         (fs::path("exercises") / lesson.dir).string()},
                        std::chrono::seconds(30));
  if (restored.code != 0) {
    return CouldNotRun(
        absl::StrCat("git could not restore ", dir.string(), ":\n", restored.output));
  }
  lessons::State state = lessons::State::Load(paths);
  state.Forget(lesson.id);
  state.Save();
  std::cout << "Reset " << dir.string() << " to the committed stub; your files are kept in "
            << backup.string() << "\n";
  return 0;
}

int Lint(const Paths& paths) {
  auto all = lessons::LoadLessons(paths);
  std::vector<std::string> problems;
  if (!all.ok()) {
    problems.push_back(std::string(all.status().message()));
  } else {
    problems = lessons::LintProblems(paths, *all);
    for (auto& problem : LintQuizzes(paths, *all)) problems.push_back(std::move(problem));
  }
  for (const auto& problem : problems) std::cout << "problem: " << problem << "\n";
  std::cout << (all.ok() ? all->size() : 0) << " lessons, " << problems.size() << " problems\n";
  return problems.empty() ? 0 : 1;
}

}  // namespace

void PrintLessonResult(const Lesson& lesson, const lessons::LessonResult& result,
                       const lessons::CheckOptions& options, const Paths& paths) {
  const bool c = options.color;
  std::cout << Paint(c, "\033[1m") << "Lesson " << lesson.id << " · " << lesson.title
            << Paint(c, "\033[0m") << " (" << options.side << ")\n";
  if (!result.ran) {
    std::cout << Paint(c, "\033[31m") << "  could not check: " << Paint(c, "\033[0m")
              << result.problem << "\n";
  }
  if (!result.server_note.empty()) std::cout << "  note: " << result.server_note << "\n";
  if (!result.warnings.empty()) {
    std::cout << Paint(c, "\033[33m") << "  compiler warnings (worth fixing; they do not stop "
              << "the build):" << Paint(c, "\033[0m") << "\n"
              << result.warnings;
  }
  bool shown_detail = false;
  for (const auto& task : result.tasks) {
    const lessons::Task& t = *task.task;
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

int StatusScreen() { return Status(lessons::DefaultPaths()); }

void AddLearnCommands(CLI::App& app, Commands& commands) {
  struct Flags {
    Paths paths = lessons::DefaultPaths();
    lessons::CheckOptions check;
    std::string lesson;
    bool no_state = false, force = false;
    // The paths as the command should see them (--no-state forgets state).
    Paths Effective() const {
      Paths effective = paths;
      if (no_state) effective.state.clear();
      return effective;
    }
  };
  auto f = std::make_shared<Flags>();
  f->check.color = lessons::ColorTerminal();
  CLI::App* status =
      app.add_subcommand("status", "every lesson's status and the next step (the default)");
  commands.push_back({status, [f] { return Status(f->paths); }});

  CLI::App* check = app.add_subcommand("check", "rebuild and check a lesson's exercise");
  check->add_option("lesson", f->lesson, "NN; default: the first lesson not passing");
  check->add_option("--side", f->check.side, "exercise or solution")
      ->check(CLI::IsMember({"exercise", "solution"}));
  check->add_flag("!--no-build", f->check.build, "do not rebuild first");
  check->add_flag("--no-state", f->no_state, "do not record the result in .course/state.json");
  check->add_option("--exercises", f->paths.exercises, "a folder laid out like exercises/");
  check->add_option("--seed", f->check.seed, "seed for generated data");
  commands.push_back({check, [f] { return Check(f->Effective(), f->lesson, f->check); }});

  CLI::App* watch = app.add_subcommand("watch", "re-check a lesson whenever its files are saved");
  watch->add_option("lesson", f->lesson, "NN");
  commands.push_back({watch, [f] { return Watch(f->Effective(), f->lesson, f->check); }});

  CLI::App* hint = app.add_subcommand("hint", "one more hint for a lesson");
  hint->add_option("lesson", f->lesson, "NN")->required();
  commands.push_back({hint, [f] { return Hint(f->paths, f->lesson); }});

  CLI::App* quiz = app.add_subcommand("quiz", "a lesson's quiz and how your answers stand");
  quiz->add_option("lesson", f->lesson, "NN")->required();
  quiz->add_option("--exercises", f->paths.exercises, "a folder laid out like exercises/");
  commands.push_back({quiz, [f] { return Quiz(f->paths, f->lesson); }});

  CLI::App* solution = app.add_subcommand("solution", "show a lesson's solution (once it passes)");
  solution->add_option("lesson", f->lesson, "NN")->required();
  solution->add_flag("--force", f->force, "show it even if the lesson does not pass yet");
  commands.push_back({solution, [f] { return Solution(f->paths, f->lesson, f->force); }});

  CLI::App* reset =
      app.add_subcommand("reset", "restore a lesson's exercise (your files are backed up)");
  reset->add_option("lesson", f->lesson, "NN")->required();
  commands.push_back({reset, [f] { return Reset(f->paths, f->lesson); }});

  CLI::App* lint = app.add_subcommand("lessons-lint", "check that every lesson has all its parts");
  lint->add_option("--source", f->paths.source, "the course's top folder (default: this one)");
  commands.push_back({lint, [f] { return Lint(f->paths); }});
}

}  // namespace course::cli
