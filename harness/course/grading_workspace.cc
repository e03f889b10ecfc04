#include "course/grading_workspace.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/file_view.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

std::uint64_t RandomSeed() {
  std::uint64_t seed = 0;
  std::ifstream random("/dev/urandom", std::ios::binary);
  random.read(reinterpret_cast<char*>(&seed), sizeof seed);
  return seed % 1000000000;
}

void RemoveLeftovers(int uid) {
  harness::KillEveryProcessOf(uid);
  if (uid < 0 || geteuid() != 0) return;
  for (const char* dir : {"/tmp", "/dev/shm", "/var/tmp"}) {
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(dir, ignored)) {
      struct stat info {};
      if (lstat(entry.path().c_str(), &info) == 0 && static_cast<int>(info.st_uid) == uid) {
        fs::remove_all(entry.path(), ignored);
      }
    }
  }
}

absl::StatusOr<std::unique_ptr<Workspace>> Workspace::Prepare(const Paths& course,
                                                              const std::vector<Lesson>& lessons,
                                                              const GradeOptions& options) {
  const json compile_db =
      json::parse(ReadFile(fs::path(course.build) / "compile_commands.json"), nullptr, false);
  if (!compile_db.is_array()) {
    return absl::FailedPreconditionError(
        absl::StrCat("build the course first (no compile_commands.json in ", course.build, ")"));
  }
  std::unique_ptr<Workspace> space(new Workspace(course, options));
  char templ[] = "/tmp/course-grade-XXXXXX";
  if (mkdtemp(templ) == nullptr) {
    return absl::FailedPreconditionError("cannot make a work folder in /tmp");
  }
  space->work_ = templ;
  chmod(templ, 0711);
  harness::ChildLimits& limits = space->limits_;
  limits.memory_bytes = options.memory_bytes;
  limits.cpu_seconds =
      static_cast<int>(options.build_budget.count() + options.lesson_budget.count());
  limits.processes = options.processes;
  limits.file_bytes = std::size_t{256} << 20;
  limits.uid = options.uid;
  std::vector<TargetCommands> all_targets;
  for (const Lesson& lesson : lessons) {
    auto& commands = space->commands_[lesson.id];
    for (const std::string& target : LessonTargets(course, lesson)) {
      absl::StatusOr<TargetCommands> found = CommandsFor(course, lesson, target, compile_db);
      if (!found.ok()) return found.status();
      commands.push_back(*found);
      all_targets.push_back(*found);
    }
  }
  if (options.uid < 0) {
    space->isolation_ =
        "own process group and rlimits on CPU, memory and file size "
        "(not root: no separate uid, process count not bounded)";
    return space;
  }
  const std::string stage = space->ReadableFolder("stage");
  absl::StatusOr<harness::FileView> view = harness::PlanFileView(
      {course.source, course.build}, CourseFilesNeeded(course, all_targets, lessons), options.uid,
      stage, space->work_);
  if (!view.ok()) return absl::FailedPreconditionError(view.status().message());
  limits.view = std::make_shared<harness::PreparedView>(*view);
  space->isolation_ = absl::StrCat("uid ", options.uid,
                                   ", own process group, rlimits on CPU, memory, processes and "
                                   "file size, the course seen as ",
                                   view->show.size(), " read-only files and folders");
  return space;
}

Workspace::~Workspace() {
  RemoveLeftovers(limits_.uid);
  std::error_code ignored;
  if (!work_.empty()) fs::remove_all(work_, ignored);
}

std::string Workspace::ReadableFolder(const std::string& name) const {
  const fs::path folder = fs::path(work_) / name;
  fs::create_directories(folder);
  chmod(folder.c_str(), 0755);
  return folder.string();
}

std::string Workspace::WritableFolder(const std::string& name) const {
  const std::string folder = ReadableFolder(name);
  if (limits_.uid >= 0) (void)!chown(folder.c_str(), limits_.uid, limits_.uid);
  return folder;
}

LessonGrade Workspace::GradeLesson(const Lesson& lesson, const std::string& sources,
                                   const std::string& out, std::uint64_t seed) const {
  LessonGrade grade;
  grade.lesson = &lesson;
  for (const auto& task : lesson.tasks) grade.result.tasks.push_back({&task, false, {}});
  grade.built = true;
  for (const TargetCommands& commands : commands_.at(lesson.id)) {
    const BuildOutcome built =
        BuildTarget(course_, lesson, commands, sources, out, limits_, options_.build_budget);
    grade.build_seconds += built.seconds;
    if (!built.built) {
      grade.built = false;
      grade.problem = built.problem;
      grade.result.problem = built.problem;
      return grade;  // status stays kError
    }
  }
  Paths graded = course_;
  graded.build = out;
  graded.exercises = sources;
  graded.state.clear();
  CheckOptions check;
  check.side = "exercise";
  check.build = false;
  check.seed = seed;
  check.limits = limits_;
  check.limits.cpu_seconds = static_cast<int>(options_.lesson_budget.count());
  check.check_bound = options_.check_budget;
  check.lesson_bound = options_.lesson_budget;
  const auto checking = std::chrono::steady_clock::now();
  grade.result = CheckLesson(lesson, graded, check);
  grade.check_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - checking).count();
  if (!grade.result.ran) grade.problem = grade.result.problem;
  grade.status = !grade.result.ran       ? LessonStatus::kError
                 : grade.result.passed() ? LessonStatus::kPass
                                         : LessonStatus::kFail;
  return grade;
}

absl::Status Workspace::Preflight(const std::vector<const Lesson*>& lessons,
                                  std::uint64_t seed) const {
  const std::string sources = ReadableFolder("preflight-src");
  for (const Lesson* lesson : lessons) {
    TakeSources((fs::path(course_.source) / "solutions").string(),
                (fs::path(course_.source) / "exercises").string(), sources, {*lesson});
    const std::string out = WritableFolder("preflight-" + lesson->id);
    LessonGrade grade = GradeLesson(*lesson, sources, out, seed);
    RemoveLeftovers(limits_.uid);
    if (grade.status == LessonStatus::kPass && grade.result.points == lesson->MaxPoints()) {
      continue;
    }
    std::string why = grade.problem;
    for (const TaskResult& task : grade.result.tasks) {
      if (why.empty() && !task.passed && !task.failures.empty()) why = task.failures.front();
    }
    return absl::FailedPreconditionError(absl::StrCat(
        "the course's own solution of lesson ", lesson->id, " scores ", grade.result.points, "/",
        lesson->MaxPoints(), " when graded the way submissions are (", isolation_, "):\n", why));
  }
  return absl::OkStatus();
}

std::vector<const Lesson*> PreflightLessons(const Paths& course, const std::vector<Lesson>& all,
                                            const std::vector<Lesson>& graded) {
  // A lesson's kind: which of the targets it builds ("", "-tests").
  auto kind = [&](const Lesson& lesson) {
    std::vector<std::string> targets = LessonTargets(course, lesson);
    for (std::string& target : targets) target = target.substr(target.find("-exercise"));
    return targets;
  };
  std::set<std::vector<std::string>> wanted;
  for (const Lesson& lesson : graded) {
    if (std::vector<std::string> targets = kind(lesson); !targets.empty()) wanted.insert(targets);
  }
  std::vector<const Lesson*> chosen;
  for (const Lesson& lesson : all) {
    if (wanted.erase(kind(lesson)) > 0) chosen.push_back(&lesson);
  }
  return chosen;
}

}  // namespace course::lessons
