#include "cli/grade.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "cli/grade_setup.h"
#include "core/child_process.h"
#include "core/file_view.h"
#include "core/report.h"

namespace course::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxSourceBytes = 1 << 20;
// grade-all grades with uids 62000 + slot (at most 16 slots); its own
// pre-flight uses the one after them.
constexpr int kPreflightUid = 62016;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::uint64_t RandomSeed() {
  std::uint64_t seed = 0;
  std::ifstream random("/dev/urandom", std::ios::binary);
  random.read(reinterpret_cast<char*>(&seed), sizeof seed);
  return seed % 1000000000;
}

// The first lines of a compiler's complaint, for the report.
std::string FirstErrors(const std::string& log) {
  std::istringstream lines(log);
  std::string out;
  int kept = 0;
  for (std::string line; std::getline(lines, line) && kept < 8;) {
    if (kept > 0 || line.find("error") != std::string::npos) {
      out += line + "\n";
      ++kept;
    }
  }
  return out.empty() ? log.substr(0, 1500) : out;
}

// Grading state that the reports are made from.
struct LessonGrade {
  const Lesson* lesson = nullptr;
  std::string status = "error";  // pass, fail, error
  std::string problem;           // compile error, server never listened, ...
  bool built = false;
  double build_seconds = 0, check_seconds = 0;
  LessonResult result;
};

struct Grading {
  std::string submission;
  std::uint64_t seed = 0;
  std::string isolation;
  std::vector<LessonGrade> lessons;
  bool complete = false;
  double seconds = 0;
  int Score() const {
    int total = 0;
    for (const auto& l : lessons) total += l.result.points;
    return total;
  }
  int MaxScore(const std::vector<Lesson>& all) const {
    int total = 0;
    for (const auto& l : all) total += l.MaxPoints();
    return total;
  }
};

std::string TaskMessage(const TaskResult& task) {
  std::string text;
  for (const auto& failure : task.failures) text += failure + "\n";
  return text;
}

json OwnJson(const Grading& g, const std::vector<Lesson>& all) {
  json lessons = json::array();
  for (const auto& l : g.lessons) {
    json tasks = json::array();
    for (const auto& t : l.result.tasks) {
      tasks.push_back({{"n", t.task->n},
                       {"title", t.task->title},
                       {"points", t.passed ? t.task->points : 0},
                       {"max_points", t.task->points},
                       {"status", t.passed              ? "pass"
                                  : l.status == "error" ? "error"
                                                        : "fail"},
                       {"message", l.status == "error" ? l.problem : TaskMessage(t)}});
    }
    lessons.push_back({{"id", l.lesson->id},
                       {"title", l.lesson->title},
                       {"status", l.status},
                       {"points", l.result.points},
                       {"max_points", l.lesson->MaxPoints()},
                       {"problem", l.problem},
                       {"server_note", l.result.server_note},
                       {"build_seconds", l.build_seconds},
                       {"check_seconds", l.check_seconds},
                       {"tasks", tasks}});
  }
  return {{"schema_version", 1},          {"submission", g.submission}, {"seed", g.seed},
          {"isolation", g.isolation},     {"complete", g.complete},     {"score", g.Score()},
          {"max_score", g.MaxScore(all)}, {"duration_s", g.seconds},    {"lessons", lessons}};
}

json Gradescope(const Grading& g) {
  json tests = json::array();
  std::string output;
  for (const auto& l : g.lessons) {
    if (l.status == "error") output += absl::StrCat("Lesson ", l.lesson->id, ": ", l.problem, "\n");
    for (const auto& t : l.result.tasks) {
      tests.push_back({{"name", absl::StrCat("Lesson ", l.lesson->id, " task ", t.task->n, ": ",
                                             t.task->title)},
                       {"number", absl::StrCat(l.lesson->id, ".", t.task->n)},
                       {"score", t.passed ? t.task->points : 0},
                       {"max_score", t.task->points},
                       {"status", t.passed ? "passed" : "failed"},
                       {"output", l.status == "error" ? l.problem : TaskMessage(t)},
                       {"visibility", "visible"}});
    }
  }
  return {{"score", g.Score()},
          {"execution_time", static_cast<int>(g.seconds)},
          {"output", absl::StrCat("seed ", g.seed, "; ", g.isolation, "\n", output)},
          {"visibility", "visible"},
          {"tests", tests}};
}

json Exercism(const Grading& g) {
  json tests = json::array();
  bool all_pass = true;
  std::string error;
  for (const auto& l : g.lessons) {
    if (l.status == "error" && error.empty()) {
      error = absl::StrCat("Lesson ", l.lesson->id, ": ", l.problem);
    }
    for (const auto& t : l.result.tasks) {
      all_pass = all_pass && t.passed;
      json test = {
          {"name", absl::StrCat("Lesson ", l.lesson->id, " task ", t.task->n, ": ", t.task->title)},
          {"status", t.passed              ? "pass"
                     : l.status == "error" ? "error"
                                           : "fail"},
          {"test_code", absl::StrCat("./course check ", l.lesson->id)},
          {"task_id", t.task->n}};
      if (!t.passed) test["message"] = l.status == "error" ? l.problem : TaskMessage(t);
      tests.push_back(test);
    }
  }
  json report = {{"version", 3}, {"tests", tests}};
  // Exercism's "error" is for a run that could not happen at all.
  if (g.lessons.empty() || (!error.empty() && tests.empty())) {
    report["status"] = "error";
    report["message"] = error.empty() ? "nothing was graded" : error;
  } else {
    report["status"] = all_pass ? "pass" : "fail";
  }
  return report;
}

std::string Junit(const Grading& g) {
  std::vector<harness::CheckResult> results;
  for (const auto& l : g.lessons) {
    for (const auto& t : l.result.tasks) {
      harness::CheckResult r;
      r.id = absl::StrCat("lesson-", l.lesson->id, ".task-", t.task->n);
      r.rule = absl::StrCat(t.task->points, " points");
      r.area = absl::StrCat("lesson-", l.lesson->id);
      r.title = t.task->title;
      r.outcome = t.passed ? harness::Outcome::kPass : harness::Outcome::kFail;
      r.finding.message = l.status == "error" ? l.problem : TaskMessage(t);
      results.push_back(r);
    }
  }
  return harness::ToJunit(results, harness::Summarize(results, g.seconds), "course.grade");
}

void WriteReports(const Grading& g, const std::vector<Lesson>& all, const GradeOptions& options) {
  std::string error;
  auto write = [&](const std::string& path, const std::string& text) {
    if (!path.empty() && !harness::WriteFileAtomically(path, text, &error)) {
      std::cerr << "course: " << error << "\n";
    }
  };
  const auto dump = [](const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  };
  write(options.json, dump(OwnJson(g, all)));
  write(options.gradescope, dump(Gradescope(g)));
  write(options.exercism, dump(Exercism(g)));
  write(options.junit, Junit(g));
}

// Copies exactly the files the course's exercise folder has (regular files,
// no links, bounded in size) from the submission into `into`.
void TakeSources(const fs::path& from, const fs::path& course_exercises, const fs::path& into,
                 const std::vector<Lesson>& lessons) {
  for (const auto& lesson : lessons) {
    fs::create_directories(into / lesson.dir);
    std::error_code ignored;
    for (const auto& entry : fs::directory_iterator(course_exercises / lesson.dir, ignored)) {
      const fs::path source = from / lesson.dir / entry.path().filename();
      const auto status = fs::symlink_status(source, ignored);
      if (!fs::is_regular_file(status) || fs::file_size(source, ignored) > kMaxSourceBytes)
        continue;
      fs::copy_file(source, into / lesson.dir / entry.path().filename(),
                    fs::copy_options::overwrite_existing, ignored);
      chmod((into / lesson.dir / entry.path().filename()).c_str(), 0644);
    }
  }
}

// Finds the folder that holds the lesson folders (an archive may wrap them
// in one top-level folder).
fs::path LessonRoot(const fs::path& top, const std::vector<Lesson>& lessons) {
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
      return entry.path();
    }
  }
  return top;
}

// Builds one lesson target from the submission's sources by replaying the
// course's own compile and link commands with the paths moved.
bool BuildTarget(const Paths& paths, const Lesson& lesson, const TargetCommands& commands,
                 const fs::path& sources, const fs::path& out, const harness::ChildLimits& limits,
                 std::chrono::seconds budget, std::string* problem, double* seconds) {
  const std::string course_dir = absl::StrCat(paths.source, "/exercises/", lesson.dir);
  const std::string copy_dir = (sources / lesson.dir).string();
  std::string link = commands.link;
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (const auto& [object, course_compile] : commands.compiles) {
    const std::string moved = (out / object).string();
    // Made by the grading uid itself, so that it can write there.
    std::string compile =
        absl::StrCat("mkdir -p '", fs::path(moved).parent_path().string(), "' && ", course_compile);
    compile = absl::StrReplaceAll(
        compile,
        {{course_dir, copy_dir}, {" -o " + object + " ", " -o " + moved + " "}, {" -Werror", ""}});
    link = absl::StrReplaceAll(link, {{" " + object + " ", " " + moved + " "}});
    const auto left = std::chrono::duration_cast<std::chrono::seconds>(
        deadline - std::chrono::steady_clock::now());
    harness::RunResult ran = harness::RunToEnd(
        {"/bin/sh", "-c", compile}, std::max(left, std::chrono::seconds(1)), limits, paths.build);
    *seconds += ran.seconds;
    if (ran.code != 0) {
      *problem = ran.code == -1 ? absl::StrCat("compiling took longer than the build budget of ",
                                               budget.count(), " s")
                                : absl::StrCat("does not compile:\n", FirstErrors(ran.output));
      return false;
    }
  }
  const std::string& target = commands.target;
  const std::string binary = (out / "lessons" / target).string();
  link = absl::StrReplaceAll(link, {{" -o lessons/" + target + " ", " -o " + binary + " "}});
  if (absl::StartsWith(link, ": && ")) link = link.substr(5);
  if (absl::EndsWith(link, " && :")) link.resize(link.size() - 5);
  link = absl::StrCat("mkdir -p '", (out / "lessons").string(), "' && ", link);
  const auto left =
      std::chrono::duration_cast<std::chrono::seconds>(deadline - std::chrono::steady_clock::now());
  harness::RunResult ran = harness::RunToEnd(
      {"/bin/sh", "-c", link}, std::max(left, std::chrono::seconds(1)), limits, paths.build);
  *seconds += ran.seconds;
  if (ran.code != 0) {
    *problem = absl::StrCat("does not link:\n", FirstErrors(ran.output));
    return false;
  }
  return true;
}

// The targets the course builds for a lesson's exercise ("", "-tests").
std::vector<std::string> LessonTargets(const Paths& course, const Lesson& lesson) {
  std::vector<std::string> targets;
  for (const std::string suffix : {"", "-tests"}) {
    const std::string target = absl::StrCat("lesson-", lesson.id, "-exercise", suffix);
    if (fs::exists(fs::path(course.build) / "lessons" / target)) targets.push_back(target);
  }
  return targets;
}

// Everything grading needs to build and check lessons, read once.
struct GradingSetup {
  std::map<std::string, std::vector<TargetCommands>> commands;  // by lesson id
  harness::ChildLimits limits;
  std::uint64_t seed = 0;
};

// Builds one lesson from `sources` into `out` and runs its checks.
LessonGrade GradeLesson(const Paths& course, const Lesson& lesson, const fs::path& sources,
                        const fs::path& out, const GradingSetup& setup,
                        const GradeOptions& options) {
  LessonGrade grade;
  grade.lesson = &lesson;
  for (const auto& task : lesson.tasks) grade.result.tasks.push_back({&task, false, {}});
  bool built = true;
  for (const TargetCommands& commands : setup.commands.at(lesson.id)) {
    if (!BuildTarget(course, lesson, commands, sources, out, setup.limits, options.build_budget,
                     &grade.problem, &grade.build_seconds)) {
      built = false;
      break;
    }
  }
  grade.built = built;
  if (!built) {
    grade.status = "error";
    grade.result.ran = false;
    grade.result.problem = grade.problem;
    return grade;
  }
  Paths graded = course;
  graded.build = out.string();
  graded.exercises = sources.string();
  graded.state.clear();
  CheckOptions check;
  check.side = "exercise";
  check.build = false;
  check.seed = setup.seed;
  check.limits = setup.limits;
  check.limits.cpu_seconds = static_cast<int>(options.lesson_budget.count());
  check.check_bound = options.check_budget;
  check.lesson_bound = options.lesson_budget;
  const auto checking = std::chrono::steady_clock::now();
  grade.result = CheckLesson(lesson, graded, check);
  grade.check_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - checking).count();
  if (!grade.result.ran) grade.problem = grade.result.problem;
  grade.status = !grade.result.ran ? "error" : grade.result.passed() ? "pass" : "fail";
  return grade;
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

// A private work area in /tmp and what grading needs to use it: the uid,
// its limits, the view of the course it gets, and the course's build commands.
struct Workspace {
  fs::path work, out;
  GradingSetup setup;
  std::string isolation;
  Workspace() = default;
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  ~Workspace() {
    RemoveLeftovers(setup.limits.uid);
    std::error_code ignored;
    if (!work.empty()) fs::remove_all(work, ignored);
  }
  // A fresh folder for one build's output, writable by the grading uid.
  fs::path NewFolder(const std::string& name) const {
    const fs::path folder = work / name;
    fs::create_directories(folder);
    chmod(folder.c_str(), 0755);
    if (setup.limits.uid >= 0) (void)!chown(folder.c_str(), setup.limits.uid, setup.limits.uid);
    return folder;
  }
};

// Sets up the work area, the limits and (as root) the view of the course that
// the grading uid gets: every build command's inputs, read-only, and nothing
// else of the course, wherever the course lives. `lessons` are all the
// lessons that will be built, submission's and pre-flight's.
absl::StatusOr<std::unique_ptr<Workspace>> Prepare(const Paths& course,
                                                   const std::vector<Lesson>& lessons,
                                                   const GradeOptions& options) {
  const json compile_db =
      json::parse(ReadFile(fs::path(course.build) / "compile_commands.json"), nullptr, false);
  if (!compile_db.is_array()) {
    return absl::FailedPreconditionError(
        absl::StrCat("build the course first (no compile_commands.json in ", course.build, ")"));
  }
  auto space = std::make_unique<Workspace>();
  char templ[] = "/tmp/course-grade-XXXXXX";
  if (mkdtemp(templ) == nullptr) {
    return absl::FailedPreconditionError("cannot make a work folder in /tmp");
  }
  space->work = templ;
  chmod(templ, 0711);
  harness::ChildLimits& limits = space->setup.limits;
  limits.memory_bytes = options.memory_bytes;
  limits.cpu_seconds =
      static_cast<int>(options.build_budget.count() + options.lesson_budget.count());
  limits.processes = options.processes;
  limits.file_bytes = std::size_t{256} << 20;
  limits.uid = options.uid;
  std::vector<TargetCommands> all_targets;
  for (const Lesson& lesson : lessons) {
    auto& commands = space->setup.commands[lesson.id];
    for (const std::string& target : LessonTargets(course, lesson)) {
      absl::StatusOr<TargetCommands> found = CommandsFor(course, lesson, target, compile_db);
      if (!found.ok()) return found.status();
      commands.push_back(*found);
      all_targets.push_back(*found);
    }
  }
  if (options.uid < 0) {
    space->isolation =
        "own process group and rlimits on CPU, memory and file size "
        "(not root: no separate uid, process count not bounded)";
    return space;
  }
  const fs::path stage = space->work / "stage";
  fs::create_directories(stage);
  absl::StatusOr<harness::FileView> view = harness::PlanFileView(
      {course.source, course.build}, CourseFilesNeeded(course, all_targets, lessons), options.uid,
      stage.string(), space->work.string());
  if (!view.ok()) return view.status();
  limits.view = std::make_shared<harness::PreparedView>(*view);
  space->isolation = absl::StrCat("uid ", options.uid,
                                  ", own process group, rlimits on CPU, memory, processes and "
                                  "file size, the course seen as ",
                                  view->show.size(), " read-only files and folders");
  return space;
}

// The lessons that stand for every kind the grader builds and runs among
// `graded` (a server, a test binary, both): the first of each kind.
std::vector<const Lesson*> PreflightLessons(const Paths& course, const std::vector<Lesson>& all,
                                            const std::vector<Lesson>& graded) {
  auto kind = [&](const Lesson& lesson) { return LessonTargets(course, lesson); };
  std::set<std::vector<std::string>> wanted;
  for (const Lesson& lesson : graded) {
    std::vector<std::string> targets = kind(lesson);
    for (std::string& target : targets) target = target.substr(target.find("-exercise"));
    if (!targets.empty()) wanted.insert(targets);
  }
  std::vector<const Lesson*> chosen;
  for (const Lesson& lesson : all) {
    std::vector<std::string> targets = kind(lesson);
    for (std::string& target : targets) target = target.substr(target.find("-exercise"));
    if (wanted.erase(targets) > 0) chosen.push_back(&lesson);
  }
  return chosen;
}

// Grades the course's own solution of each lesson in `lessons` exactly as a
// submission is graded (same uid, view and limits). Anything short of full
// marks is the grader's set-up failing, never a student's fault.
absl::Status Preflight(const Paths& course, const std::vector<const Lesson*>& lessons,
                       const Workspace& space, const GradeOptions& options) {
  const fs::path sources = space.work / "preflight-src";
  fs::create_directories(sources);
  chmod(sources.c_str(), 0755);
  for (const Lesson* lesson : lessons) {
    TakeSources(fs::path(course.source) / "solutions", fs::path(course.source) / "exercises",
                sources, {*lesson});
    const fs::path out = space.NewFolder("preflight-" + lesson->id);
    LessonGrade grade = GradeLesson(course, *lesson, sources, out, space.setup, options);
    RemoveLeftovers(space.setup.limits.uid);
    if (grade.status == "pass" && grade.result.points == lesson->MaxPoints()) continue;
    std::string why = grade.problem;
    for (const TaskResult& task : grade.result.tasks) {
      if (why.empty() && !task.passed && !task.failures.empty()) why = task.failures.front();
    }
    return absl::FailedPreconditionError(
        absl::StrCat("the course's own solution of lesson ", lesson->id, " scores ",
                     grade.result.points, "/", lesson->MaxPoints(),
                     " when graded the way submissions are (", space.isolation, "):\n", why));
  }
  return absl::OkStatus();
}

int CannotGrade(const absl::Status& status) {
  std::cerr << "course: cannot grade here: " << status.message()
            << "\nNo scores were written: this is the grader's set-up, not a student's code.\n"
               "Fixes: build the course (`./course build`); make its files readable by other "
               "users (`chmod -R o+rX` on the checkout, or clone with umask 022); or grade as an "
               "ordinary user, without a separate uid (see README, \"Where the course may "
               "live\").\n";
  return 2;
}

}  // namespace

int GradeCommand(const Paths& course, GradeOptions options) {
  const auto start = std::chrono::steady_clock::now();
  std::string error;
  std::vector<Lesson> all = LoadLessons(course, &error);
  if (!error.empty()) {
    std::cerr << "course: " << error << "\n";
    return 2;
  }
  std::vector<Lesson> lessons;
  for (const auto& lesson : all) {
    if (options.lessons.empty() || std::find(options.lessons.begin(), options.lessons.end(),
                                             lesson.id) != options.lessons.end()) {
      lessons.push_back(lesson);
    }
  }
  if (lessons.empty()) {
    std::cerr << "course: no such lesson to grade\n";
    return 2;
  }
  std::error_code failed;
  const fs::path submission = fs::absolute(options.submission, failed);
  if (!fs::exists(submission, failed)) {
    std::cerr << "course: no submission at " << options.submission << "\n";
    return 2;
  }

  // Orphans of a submission (a fork bomb's children) are handed to this
  // process, which reaps them, instead of escaping to init.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  Grading grading;
  grading.submission = options.submission;
  grading.seed = options.seed ? *options.seed : RandomSeed();
  if (geteuid() == 0 && options.uid < 0) options.uid = 61000 + static_cast<int>(getpid() % 2000);
  if (geteuid() != 0) options.uid = -1;

  std::vector<const Lesson*> preflight;
  if (options.preflight) preflight = PreflightLessons(course, all, lessons);
  std::vector<Lesson> built = lessons;
  for (const Lesson* lesson : preflight) {
    if (std::none_of(built.begin(), built.end(),
                     [&](const Lesson& l) { return l.id == lesson->id; })) {
      built.push_back(*lesson);
    }
  }
  absl::StatusOr<std::unique_ptr<Workspace>> prepared = Prepare(course, built, options);
  if (!prepared.ok()) return CannotGrade(prepared.status());
  Workspace& space = **prepared;
  space.setup.seed = grading.seed;
  grading.isolation = space.isolation;
  if (absl::Status ready = Preflight(course, preflight, space, options); !ready.ok()) {
    return CannotGrade(ready);
  }

  fs::path from = submission;
  if (!fs::is_directory(submission)) {
    // Copied in first: the grading uid may not reach where the archive lies.
    const fs::path archive = space.work / "submission.tar";
    fs::copy_file(submission, archive, failed);
    chmod(archive.c_str(), 0644);
    const fs::path extract = space.NewFolder("extract");
    harness::ChildLimits untar_limits = space.setup.limits;
    untar_limits.view = nullptr;
    harness::RunResult untar =
        harness::RunToEnd({"tar", "-xf", archive.string(), "-C", extract.string(),
                           "--no-same-owner", "--no-same-permissions"},
                          std::chrono::seconds(60), untar_limits);
    if (failed || untar.code != 0) {
      std::cerr << "course: cannot unpack " << options.submission << ": "
                << (failed ? failed.message() : untar.output) << "\n";
      return 2;
    }
    from = extract;
  }
  // The sources, read-only for the submission, and the build output (the
  // only place it may write).
  const fs::path sources = space.work / "src";
  fs::create_directories(sources);
  chmod(sources.c_str(), 0755);
  const fs::path out = space.NewFolder("out");
  TakeSources(LessonRoot(from, all), fs::path(course.source) / "exercises", sources, lessons);

  if (!options.quiet) {
    std::cout << "Grading " << options.submission << " (seed " << grading.seed << "; "
              << grading.isolation << ")\n";
  }
  Paths graded = course;
  graded.build = out.string();
  graded.exercises = sources.string();
  graded.state.clear();
  for (const auto& lesson : lessons) {
    LessonGrade grade = GradeLesson(course, lesson, sources, out, space.setup, options);
    RemoveLeftovers(options.uid);
    if (!options.quiet) {
      CheckOptions print;
      print.color = false;
      PrintLessonResult(lesson, grade.result, print, graded);
    }
    grading.lessons.push_back(std::move(grade));
    grading.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WriteReports(grading, lessons, options);  // as grading goes
  }
  grading.complete = true;
  grading.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WriteReports(grading, lessons, options);
  int max = 0;
  for (const auto& l : lessons) max += l.MaxPoints();
  std::cout << "score " << grading.Score() << "/" << max << " for " << options.submission
            << " (seed " << grading.seed << ", " << static_cast<int>(grading.seconds) << " s)\n";
  return 0;
}

int GradeAllCommand(const Paths& paths, const std::string& dir, const std::string& out_dir,
                    int jobs, const GradeOptions& options) {
  std::error_code failed;
  std::vector<fs::path> submissions;
  for (const auto& entry : fs::directory_iterator(dir, failed)) submissions.push_back(entry.path());
  if (failed) {
    std::cerr << "course: cannot read " << dir << ": " << failed.message() << "\n";
    return 2;
  }
  std::sort(submissions.begin(), submissions.end());
  // The grader's own set-up is checked once, before any submission: a class
  // must not be scored by a grader that cannot grade.
  {
    std::string error;
    const std::vector<Lesson> all = LoadLessons(paths, &error);
    std::vector<Lesson> graded;
    for (const auto& lesson : all) {
      if (options.lessons.empty() || std::find(options.lessons.begin(), options.lessons.end(),
                                               lesson.id) != options.lessons.end()) {
        graded.push_back(lesson);
      }
    }
    if (!error.empty() || graded.empty()) {
      std::cerr << "course: " << (error.empty() ? "no such lesson to grade" : error) << "\n";
      return 2;
    }
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    GradeOptions check = options;
    check.uid = geteuid() == 0 ? kPreflightUid : -1;
    std::vector<const Lesson*> preflight = PreflightLessons(paths, all, graded);
    std::vector<Lesson> built;
    for (const Lesson* lesson : preflight) built.push_back(*lesson);
    absl::StatusOr<std::unique_ptr<Workspace>> prepared = Prepare(paths, built, check);
    if (!prepared.ok()) return CannotGrade(prepared.status());
    (*prepared)->setup.seed = options.seed ? *options.seed : RandomSeed();
    if (absl::Status ready = Preflight(paths, preflight, **prepared, check); !ready.ok()) {
      return CannotGrade(ready);
    }
  }
  const fs::path out = out_dir.empty() ? fs::path(dir).parent_path() / "graded" : fs::path(out_dir);
  fs::create_directories(out, failed);
  const std::string self = fs::read_symlink("/proc/self/exe", failed).string();

  struct Job {
    std::string name;
    std::unique_ptr<harness::ChildProcess> child;
    int slot = 0;
  };
  std::vector<Job> running;
  std::vector<bool> slots(static_cast<std::size_t>(std::max(1, jobs)), false);
  std::size_t next = 0, skipped = 0;
  auto report_of = [&](const std::string& name) { return out / name / "report.json"; };
  auto done = [&](const std::string& name) {
    json report = json::parse(ReadFile(report_of(name)), nullptr, false);
    return report.is_object() && report.value("complete", false);
  };
  while (next < submissions.size() || !running.empty()) {
    while (next < submissions.size() && running.size() < slots.size()) {
      const fs::path submission = submissions[next++];
      const std::string name = submission.filename().string();
      if (done(name)) {
        ++skipped;
        continue;
      }
      int slot = 0;
      while (slots[static_cast<std::size_t>(slot)]) ++slot;
      slots[static_cast<std::size_t>(slot)] = true;
      fs::create_directories(out / name, failed);
      std::vector<std::string> argv = {self,
                                       "grade",
                                       submission.string(),
                                       "--quiet",
                                       "--no-preflight",
                                       "--json",
                                       report_of(name).string(),
                                       "--junit",
                                       (out / name / "junit.xml").string(),
                                       "--gradescope",
                                       (out / name / "gradescope.json").string(),
                                       "--exercism",
                                       (out / name / "exercism.json").string()};
      if (geteuid() == 0) {
        argv.push_back("--uid");
        argv.push_back(std::to_string(62000 + slot));
      }
      if (options.seed) {
        argv.push_back("--seed");
        argv.push_back(std::to_string(*options.seed));
      }
      for (const auto& lesson : options.lessons) {
        argv.push_back("--lesson");
        argv.push_back(lesson);
      }
      auto child = harness::ChildProcess::Spawn(argv);
      if (!child.ok()) {
        std::cerr << "course: cannot start grading " << name << "\n";
        slots[static_cast<std::size_t>(slot)] = false;
        continue;
      }
      std::cout << "grading " << name << "\n";
      running.push_back({name, std::move(*child), slot});
    }
    for (auto it = running.begin(); it != running.end();) {
      if (it->child->Exited()) {
        std::cout << "graded " << it->name << (done(it->name) ? "" : " (incomplete)") << "\n";
        slots[static_cast<std::size_t>(it->slot)] = false;
        it = running.erase(it);
      } else {
        ++it;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }

  // The gradebook, from every report there is (old and new).
  std::string error;
  std::vector<Lesson> lessons = LoadLessons(paths, &error);
  std::ostringstream csv;
  csv << "submission,score,max_score,complete";
  for (const auto& l : lessons) csv << ",lesson_" << l.id;
  csv << "\n";
  json book = json::array();
  for (const auto& submission : submissions) {
    const std::string name = submission.filename().string();
    json report = json::parse(ReadFile(report_of(name)), nullptr, false);
    if (!report.is_object()) report = json::object();
    csv << '"' << absl::StrReplaceAll(name, {{"\"", "\"\""}}) << "\"," << report.value("score", 0)
        << "," << report.value("max_score", 0) << "," << (report.value("complete", false) ? 1 : 0);
    std::map<std::string, int> points;
    for (const auto& l : report.value("lessons", json::array())) {
      points[l.value("id", "")] = l.value("points", 0);
    }
    for (const auto& l : lessons) csv << "," << points[l.id];
    csv << "\n";
    book.push_back({{"submission", name},
                    {"score", report.value("score", 0)},
                    {"max_score", report.value("max_score", 0)},
                    {"complete", report.value("complete", false)},
                    {"seed", report.value("seed", 0)},
                    {"lessons", points}});
  }
  harness::WriteFileAtomically((out / "gradebook.csv").string(), csv.str(), &error);
  harness::WriteFileAtomically((out / "gradebook.json").string(),
                               json{{"schema_version", 1}, {"submissions", book}}.dump(2) + "\n",
                               &error);
  std::cout << "gradebook: " << (out / "gradebook.csv").string() << " ("
            << submissions.size() - skipped << " graded now, " << skipped << " already graded)\n";
  return 0;
}

}  // namespace course::cli
