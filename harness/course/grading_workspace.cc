#include "course/grading_workspace.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "core/file_view.h"
#include "core/sandbox.h"
#include "course/grading_sandbox.h"
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

namespace {

// `limits` in the workspace's sandbox, if any, which also shows the
// submission's sources (read-only) and lets it write its build folder.
// `own_network`: a namespace of its own (build steps), or the checker's.
harness::ChildLimits Sandboxed(harness::ChildLimits limits,
                               const std::shared_ptr<const harness::SandboxPolicy>& base,
                               const std::string& sources, const std::string& out,
                               bool own_network) {
  if (base == nullptr) return limits;
  auto policy = std::make_shared<harness::SandboxPolicy>(*base);
  policy->read_only.push_back(sources);
  policy->writable.push_back(out);
  policy->own_network = own_network;
  limits.sandbox = policy;
  return limits;
}

}  // namespace

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
  // Once per grading run (the one that checks its own set-up), not in each
  // of grade-all's children, which would run ninja on one build side by side.
  if (options.preflight) {
    if (absl::Status built = BuildCourseObjects(course, all_targets); !built.ok()) return built;
  }
  if (absl::Status ready = space->PrepareIsolation(all_targets, lessons); !ready.ok()) {
    return ready;
  }
  return space;
}

absl::Status Workspace::PrepareIsolation(const std::vector<TargetCommands>& targets,
                                         const std::vector<Lesson>& lessons) {
  const int uid = options_.uid;
  const std::string limits = absl::StrCat(uid >= 0 ? absl::StrCat("uid ", uid, ", ") : "",
                                          "own process group, rlimits on CPU, memory, ",
                                          uid >= 0 ? "processes " : "", "and file size");
  const std::string stage = ReadableFolder("stage");
  absl::StatusOr<harness::FileView> view = harness::PlanFileView(
      {course_.source, course_.build}, CourseFilesNeeded(course_, targets, lessons),
      uid >= 0 ? uid : static_cast<int>(geteuid()), stage, work_);
  if (!view.ok()) return absl::FailedPreconditionError(view.status().message());
  std::string why_not = "switched off (--no-sandbox)";
  if (options_.sandbox) {
    auto policy = std::make_shared<harness::SandboxPolicy>();
    policy->read_only = view->show;
    policy->hidden = {course_.source, course_.build};
    policy->uid = uid;
    const absl::Status probed = harness::ProbeSandbox(*policy);
    if (probed.ok()) {
      sandbox_ = policy;
      isolation_ = absl::StrCat(
          "sandbox (bubblewrap): no network but loopback, the system read-only, a private /tmp, ",
          "the course seen as ", view->show.size(), " read-only files and folders; ", limits);
      return absl::OkStatus();
    }
    why_not = absl::StrCat("this host does not allow it: ", probed.message());
  }
  if (uid < 0) {
    isolation_ = absl::StrCat("NO SANDBOX (", why_not,
                              "): the submission shares the network and sees every file the "
                              "grader's user can read; ",
                              limits, " (not root: no separate uid, process count not bounded)");
    return absl::OkStatus();
  }
  limits_.view = std::make_shared<harness::PreparedView>(*view);
  isolation_ = absl::StrCat("NO SANDBOX (", why_not,
                            "): the submission shares the network and sees every file other "
                            "users can read, but of the course only ",
                            view->show.size(), " read-only files and folders; ", limits);
  return absl::OkStatus();
}

Workspace::~Workspace() {
  RemoveLeftovers(limits_.uid);
  std::error_code ignored;
  if (!work_.empty()) fs::remove_all(work_, ignored);
}

harness::ChildLimits Workspace::UnpackLimits(const std::string& archive, const std::string& extract,
                                             std::size_t file_bytes) const {
  harness::ChildLimits limits = limits_;
  limits.view = nullptr;
  limits.file_bytes = file_bytes;
  if (sandbox_ != nullptr) {
    auto policy = std::make_shared<harness::SandboxPolicy>();
    policy->read_only = {archive};
    policy->writable = {extract};
    policy->uid = sandbox_->uid;
    limits.sandbox = policy;
  }
  return limits;
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
        BuildTarget(course_, lesson, commands, sources, out,
                    Sandboxed(limits_, sandbox_, sources, out, true), options_.build_budget);
    grade.build_seconds += built.seconds;
    if (!built.built) {
      grade.built = false;
      grade.problem = built.problem;
      grade.result.problem = built.problem;
      return grade;  // status stays kError
    }
  }
  const auto checking = std::chrono::steady_clock::now();
  grade.result = RunChecks(lesson, sources, out, seed);
  grade.check_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - checking).count();
  if (!grade.result.ran) grade.problem = grade.result.problem;
  grade.status = !grade.result.ran       ? LessonStatus::kError
                 : grade.result.passed() ? LessonStatus::kPass
                                         : LessonStatus::kFail;
  return grade;
}

LessonResult Workspace::RunChecks(const Lesson& lesson, const std::string& sources,
                                  const std::string& out, std::uint64_t seed) const {
  Paths graded = course_;
  graded.build = out;
  graded.exercises = sources;
  graded.state.clear();
  CheckOptions check;
  check.side = "exercise";
  check.build = false;
  check.seed = seed;
  check.limits = Sandboxed(limits_, sandbox_, sources, out, false);
  check.limits.cpu_seconds = static_cast<int>(options_.lesson_budget.count());
  check.check_bound = options_.check_budget;
  check.lesson_bound = options_.lesson_budget;
  LessonResult result;
  if (sandbox_ == nullptr) {
    result = RunLessonChecks(lesson, graded, check);
  } else {
    CheckPlan plan;
    plan.lesson = lesson.id;
    plan.build = out;
    plan.exercises = sources;
    plan.seed = seed;
    plan.limits = check.limits;
    plan.check_bound = check.check_bound;
    plan.lesson_bound = check.lesson_bound;
    std::error_code ignored;
    const std::string self = fs::read_symlink("/proc/self/exe", ignored).string();
    result = CheckInSandbox(lesson, plan, (fs::path(work_) / ("plan-" + lesson.id)).string(), self);
  }
  // The quiz's answer key is read here, by the grader, never in the sandbox.
  FinishLesson(lesson, graded, check, result);
  return result;
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
