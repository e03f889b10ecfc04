#include "course/grading_build.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/child_process.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;

namespace {

bool Within(const fs::path& inner, const fs::path& outer) {
  auto [end, unused] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return end == outer.end();
}

bool IsHeader(const fs::path& path) {
  static const std::set<std::string> kHeaders = {".h", ".hh", ".hpp", ".hxx", ".inc"};
  return kHeaders.count(path.extension().string()) > 0;
}

// Collects what one path named by a command contributes to the view.
class Collector {
 public:
  explicit Collector(const Paths& course)
      : source_(fs::weakly_canonical(course.source)), build_(fs::weakly_canonical(course.build)) {
    for (const char* hidden : {"solutions", "exercises", ".git", ".course"}) {
      skip_.push_back(source_ / hidden);
    }
    skip_.push_back(build_);
  }

  // `token` is a path as a command gives it (relative ones are from the
  // build folder, where the commands run).
  void Add(const std::string& token) {
    if (token.empty()) return;
    std::error_code failed;
    fs::path path = fs::path(token).is_absolute() ? fs::path(token) : build_ / token;
    path = fs::weakly_canonical(path, failed);
    if (failed || !fs::exists(path, failed)) return;
    const bool in_build = Within(path, build_);
    if (!in_build && !Within(path, source_)) return;  // the system's own files are visible
    if (!in_build && Skipped(path)) return;
    if (!fs::is_directory(path, failed)) {
      found_.insert(path.string());
      if (fs::exists(path.string() + ".gch", failed)) found_.insert(path.string() + ".gch");
      return;
    }
    if (in_build) {
      found_.insert(path.string());  // generated code: the whole folder
      return;
    }
    // A source include folder: its headers, not its code.
    fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied,
                                        failed);
    for (; !failed && it != fs::recursive_directory_iterator(); it.increment(failed)) {
      if (it->is_directory() && Skipped(it->path())) {
        it.disable_recursion_pending();
      } else if (it->is_regular_file() && IsHeader(it->path())) {
        found_.insert(it->path().string());
      }
    }
  }

  void AddCommand(const std::string& command) {
    std::vector<std::string> tokens = absl::StrSplit(command, ' ', absl::SkipEmpty());
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const std::string& token = tokens[i];
      if (token == "-o" || token == "-MF" || token == "-MT") {
        ++i;  // an output: the grader writes its own elsewhere
        continue;
      }
      for (const char* prefix : {"-I", "-L"}) {
        if (absl::StartsWith(token, prefix) && token.size() > 2) Add(token.substr(2));
      }
      if (absl::StartsWith(token, "-Wl,-rpath,")) {
        for (absl::string_view dir : absl::StrSplit(token.substr(11), ':')) Add(std::string(dir));
      }
      if (token[0] != '-') Add(token);
    }
  }

  // A folder shown whole, whatever it holds.
  void AddWhole(const fs::path& dir) {
    std::error_code failed;
    if (fs::is_directory(dir, failed)) found_.insert(fs::weakly_canonical(dir).string());
  }

  std::vector<std::string> Found() const { return {found_.begin(), found_.end()}; }

 private:
  bool Skipped(const fs::path& path) const {
    for (const fs::path& hidden : skip_) {
      if (Within(path, hidden)) return true;
    }
    return false;
  }

  fs::path source_, build_;
  std::vector<fs::path> skip_;
  std::set<std::string> found_;
};

}  // namespace

absl::StatusOr<TargetCommands> CommandsFor(const Paths& course, const Lesson& lesson,
                                           const std::string& target,
                                           const nlohmann::json& compile_db) {
  harness::RunResult commands = harness::RunToEnd(
      {"ninja", "-C", course.build, "-t", "commands", target}, std::chrono::seconds(60), {});
  TargetCommands found;
  found.target = target;
  std::istringstream lines(commands.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" -o lessons/" + target + " ") != std::string::npos) found.link = line;
  }
  if (commands.code != 0 || found.link.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the course has no build rule for ", target, " (build the course first)"));
  }
  const std::string exercise_dir = absl::StrCat("/exercises/", lesson.dir, "/");
  for (absl::string_view token : absl::StrSplit(found.link, ' ', absl::SkipEmpty())) {
    if (!absl::EndsWith(token, ".o")) continue;
    if (token.find(exercise_dir) == absl::string_view::npos) {
      found.course_objects.emplace_back(token);
      continue;
    }
    const std::string object(token);
    std::string compile;
    for (const auto& entry : compile_db) {
      const std::string command = entry.value("command", "");
      if (command.find(" -o " + object + " ") != std::string::npos) compile = command;
    }
    if (compile.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("no compile command for ", object));
    }
    found.compiles.emplace_back(object, compile);
  }
  return found;
}

absl::Status BuildCourseObjects(const Paths& course, const std::vector<TargetCommands>& targets) {
  std::vector<std::string> argv = {"ninja", "-C", course.build};
  for (const TargetCommands& target : targets) {
    argv.insert(argv.end(), target.course_objects.begin(), target.course_objects.end());
  }
  if (argv.size() == 3) return absl::OkStatus();
  const harness::RunResult built = harness::RunToEnd(argv, std::chrono::seconds(900));
  if (built.code == 0) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrCat("cannot build the course's own objects for these lessons (", course.build,
                   "): is the course whole?\n", FirstErrorLines(built.output, 12, "    ")));
}

std::vector<std::string> CourseFilesNeeded(const Paths& course,
                                           const std::vector<TargetCommands>& targets,
                                           const std::vector<Lesson>& lessons) {
  Collector collector(course);
  for (const TargetCommands& target : targets) {
    for (const auto& [object, command] : target.compiles) collector.AddCommand(command);
    collector.AddCommand(target.link);
  }
  for (const Lesson& lesson : lessons) {
    collector.AddWhole(fs::path(course.source) / "lessons" / lesson.dir);
  }
  return collector.Found();
}

namespace {

constexpr std::size_t kMaxSourceBytes = 1 << 20;

// The first lines of a compiler's complaint, for the report; a step that
// ended without a word (killed, say) gets its exit code instead.
std::string CompilerErrors(const harness::RunResult& ran) {
  std::string errors = FirstErrorLines(ran.output, 8);
  if (errors.find_first_not_of(" \n") == std::string::npos) {
    return absl::StrCat("(the step ended with exit code ", ran.code, " and wrote nothing)");
  }
  return errors.size() > 1500 ? errors.substr(0, 1500) : errors;
}

std::chrono::seconds Left(std::chrono::steady_clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::seconds(1));
}

}  // namespace

void TakeSources(const std::string& from, const std::string& course_exercises,
                 const std::string& into, const std::vector<Lesson>& lessons) {
  for (const auto& lesson : lessons) {
    const fs::path to = fs::path(into) / lesson.dir;
    fs::create_directories(to);
    std::error_code ignored;
    for (const auto& entry :
         fs::directory_iterator(fs::path(course_exercises) / lesson.dir, ignored)) {
      const fs::path source = fs::path(from) / lesson.dir / entry.path().filename();
      const auto status = fs::symlink_status(source, ignored);
      if (!fs::is_regular_file(status) || fs::file_size(source, ignored) > kMaxSourceBytes) {
        continue;
      }
      const fs::path copy = to / entry.path().filename();
      fs::copy_file(source, copy, fs::copy_options::overwrite_existing, ignored);
      chmod(copy.c_str(), 0644);
    }
  }
}

std::string LessonRoot(const std::string& top, const std::vector<Lesson>& lessons) {
  auto has_lessons = [&](const fs::path& dir) {
    std::error_code ignored;
    for (const auto& l : lessons) {
      if (fs::is_directory(fs::symlink_status(dir / l.dir, ignored))) return true;
    }
    return false;
  };
  if (has_lessons(top)) return top;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator(top, ignored)) {
    if (fs::is_directory(fs::symlink_status(entry.path(), ignored)) && has_lessons(entry.path())) {
      return entry.path().string();
    }
  }
  return top;
}

std::vector<std::string> LessonTargets(const Paths& course, const Lesson& lesson) {
  // Written by lessons/CMakeLists.txt: the exercise targets are built on
  // demand only, so their binaries may not exist.
  const std::string listed = ReadFile(fs::path(course.build) / "lessons" / "exercise-targets.txt");
  std::vector<std::string> targets;
  for (const std::string suffix : {"", "-tests"}) {
    const std::string target = absl::StrCat("lesson-", lesson.id, "-exercise", suffix);
    for (absl::string_view line : absl::StrSplit(listed, '\n')) {
      if (line == target) targets.push_back(target);
    }
  }
  return targets;
}

BuildOutcome BuildTarget(const Paths& course, const Lesson& lesson, const TargetCommands& commands,
                         const std::string& sources, const std::string& out,
                         const harness::ChildLimits& limits, std::chrono::seconds budget) {
  BuildOutcome outcome;
  const std::string course_dir = absl::StrCat(course.source, "/exercises/", lesson.dir);
  const std::string copy_dir = (fs::path(sources) / lesson.dir).string();
  std::string link = commands.link;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (const auto& [object, course_compile] : commands.compiles) {
    const std::string moved = (fs::path(out) / object).string();
    // Made by the grading uid itself, so that it can write there.
    std::string compile =
        absl::StrCat("mkdir -p '", fs::path(moved).parent_path().string(), "' && ", course_compile);
    compile = absl::StrReplaceAll(
        compile,
        {{course_dir, copy_dir}, {" -o " + object + " ", " -o " + moved + " "}, {" -Werror", ""}});
    link = absl::StrReplaceAll(link, {{" " + object + " ", " " + moved + " "}});
    harness::RunResult ran =
        harness::RunToEnd({"/bin/sh", "-c", compile}, Left(deadline), limits, course.build);
    outcome.seconds += ran.seconds;
    if (ran.code != 0) {
      outcome.problem = ran.code == -1 ? absl::StrCat(
                                             "compiling took longer than the build "
                                             "budget of ",
                                             budget.count(), " s")
                                       : absl::StrCat("does not compile:\n", CompilerErrors(ran));
      return outcome;
    }
  }
  const std::string binary = (fs::path(out) / "lessons" / commands.target).string();
  link =
      absl::StrReplaceAll(link, {{" -o lessons/" + commands.target + " ", " -o " + binary + " "}});
  if (absl::StartsWith(link, ": && ")) link = link.substr(5);
  if (absl::EndsWith(link, " && :")) link.resize(link.size() - 5);
  link = absl::StrCat("mkdir -p '", (fs::path(out) / "lessons").string(), "' && ", link);
  harness::RunResult ran =
      harness::RunToEnd({"/bin/sh", "-c", link}, Left(deadline), limits, course.build);
  outcome.seconds += ran.seconds;
  if (ran.code != 0) {
    outcome.problem = absl::StrCat("does not link:\n", CompilerErrors(ran));
    return outcome;
  }
  outcome.built = true;
  return outcome;
}
}  // namespace course::lessons
