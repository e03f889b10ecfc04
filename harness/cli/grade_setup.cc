#include "cli/grade_setup.h"

#include <filesystem>
#include <set>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/child_process.h"

namespace course::cli {
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
    if (!absl::EndsWith(token, ".o") || token.find(exercise_dir) == absl::string_view::npos) {
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

}  // namespace course::cli
