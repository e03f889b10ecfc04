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
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "core/child_process.h"
#include "core/report.h"

namespace course::cli {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxSourceBytes = 1 << 20;

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
bool BuildTarget(const Paths& paths, const Lesson& lesson, const std::string& target,
                 const fs::path& sources, const fs::path& out, const json& compile_db,
                 const harness::ChildLimits& limits, std::chrono::seconds budget,
                 std::string* problem, double* seconds) {
  harness::RunResult commands = harness::RunToEnd(
      {"ninja", "-C", paths.build, "-t", "commands", target}, std::chrono::seconds(60), {});
  std::string link;
  std::istringstream lines(commands.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" -o lessons/" + target + " ") != std::string::npos) link = line;
  }
  if (commands.code != 0 || link.empty()) {
    *problem =
        absl::StrCat("the course has no build rule for ", target, " (build the course first)");
    return false;
  }
  const std::string course_dir = absl::StrCat(paths.source, "/exercises/", lesson.dir);
  const std::string copy_dir = (sources / lesson.dir).string();
  std::vector<std::string> objects;
  for (absl::string_view token : absl::StrSplit(link, ' ', absl::SkipEmpty())) {
    if (absl::EndsWith(token, ".o") &&
        token.find(absl::StrCat("/exercises/", lesson.dir, "/")) != absl::string_view::npos) {
      objects.emplace_back(token);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  for (const std::string& object : objects) {
    std::string compile;
    for (const auto& entry : compile_db) {
      const std::string command = entry.value("command", "");
      if (command.find(" -o " + object + " ") != std::string::npos) compile = command;
    }
    if (compile.empty()) {
      *problem = absl::StrCat("no compile command for ", object);
      return false;
    }
    const std::string moved = (out / object).string();
    // Made by the grading uid itself, so that it can write there.
    compile = absl::StrCat("mkdir -p '", fs::path(moved).parent_path().string(), "' && ", compile);
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
  const json compile_db =
      json::parse(ReadFile(fs::path(course.build) / "compile_commands.json"), nullptr, false);
  if (!compile_db.is_array()) {
    std::cerr << "course: build the course first (no compile_commands.json in " << course.build
              << ")\n";
    return 2;
  }

  // Orphans of a submission (a fork bomb's children) are handed to this
  // process, which reaps them, instead of escaping to init.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  Grading grading;
  grading.submission = options.submission;
  grading.seed = options.seed ? *options.seed : RandomSeed();
  const bool root = geteuid() == 0;
  if (root && options.uid < 0) options.uid = 61000 + static_cast<int>(getpid() % 2000);
  if (!root) options.uid = -1;
  grading.isolation = root ? absl::StrCat("uid ", options.uid,
                                          ", own process group, rlimits on CPU, memory, "
                                          "processes and file size")
                           : "own process group and rlimits on CPU, memory and file size "
                             "(not root: no separate uid, process count not bounded)";

  // A private work area: the sources (read-only for the submission) and the
  // build output (the only place it may write).
  char templ[] = "/tmp/course-grade-XXXXXX";
  if (mkdtemp(templ) == nullptr) {
    std::cerr << "course: cannot make a work folder in /tmp\n";
    return 2;
  }
  const fs::path work(templ);
  chmod(work.c_str(), 0711);
  const fs::path sources = work / "src", out = work / "out";
  fs::create_directories(sources);
  fs::create_directories(out);
  chmod(sources.c_str(), 0755);
  if (options.uid >= 0) (void)!chown(out.c_str(), options.uid, options.uid);

  harness::ChildLimits limits;
  limits.memory_bytes = options.memory_bytes;
  limits.cpu_seconds =
      static_cast<int>(options.build_budget.count() + options.lesson_budget.count());
  limits.processes = options.processes;
  limits.file_bytes = std::size_t{256} << 20;
  limits.uid = options.uid;

  fs::path from = submission;
  if (!fs::is_directory(submission)) {
    const fs::path extract = work / "extract";
    fs::create_directories(extract);
    if (options.uid >= 0) (void)!chown(extract.c_str(), options.uid, options.uid);
    chmod(submission.c_str(), 0644);
    harness::RunResult untar =
        harness::RunToEnd({"tar", "-xf", submission.string(), "-C", extract.string(),
                           "--no-same-owner", "--no-same-permissions"},
                          std::chrono::seconds(60), limits);
    if (untar.code != 0) {
      std::cerr << "course: cannot unpack " << options.submission << ": " << untar.output << "\n";
      RemoveLeftovers(options.uid);
      fs::remove_all(work, failed);
      return 2;
    }
    from = extract;
  }
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
    LessonGrade grade;
    grade.lesson = &lesson;
    for (const auto& task : lesson.tasks) grade.result.tasks.push_back({&task, false, {}});
    bool built = true;
    for (const std::string suffix : {"", "-tests"}) {
      const std::string target = absl::StrCat("lesson-", lesson.id, "-exercise", suffix);
      if (!fs::exists(fs::path(course.build) / "lessons" / target)) continue;
      if (!BuildTarget(course, lesson, target, sources, out, compile_db, limits,
                       options.build_budget, &grade.problem, &grade.build_seconds)) {
        built = false;
        break;
      }
    }
    grade.built = built;
    if (built) {
      CheckOptions check;
      check.side = "exercise";
      check.build = false;
      check.seed = grading.seed;
      check.limits = limits;
      check.limits.cpu_seconds = static_cast<int>(options.lesson_budget.count());
      check.check_bound = options.check_budget;
      check.lesson_bound = options.lesson_budget;
      const auto checking = std::chrono::steady_clock::now();
      grade.result = CheckLesson(lesson, graded, check);
      grade.check_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - checking).count();
      if (!grade.result.ran) grade.problem = grade.result.problem;
      grade.status = !grade.result.ran ? "error" : grade.result.passed() ? "pass" : "fail";
    } else {
      grade.status = "error";
      grade.result.ran = false;
      grade.result.problem = grade.problem;
    }
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
  fs::remove_all(work, failed);
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
