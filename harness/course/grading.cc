#include "course/grading.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "absl/strings/str_cat.h"
#include "core/child_process.h"
#include "course/gradebook.h"
#include "course/grading_workspace.h"
#include "course/text.h"
#include "course/uid_block.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// grade-all grades with the uids of its block (uid_block.h): base + slot (at
// most 16 slots); its own pre-flight uses the one after them.
constexpr int kPreflightSlot = 16;

// The lessons the grading builds: the graded ones and the pre-flight's.
std::vector<Lesson> Built(const std::vector<Lesson>& graded,
                          const std::vector<const Lesson*>& preflight) {
  std::vector<Lesson> built = graded;
  for (const Lesson* lesson : preflight) {
    if (std::none_of(built.begin(), built.end(),
                     [&](const Lesson& l) { return l.id == lesson->id; })) {
      built.push_back(*lesson);
    }
  }
  return built;
}

// The submission's lesson folders: the folder itself, or an archive unpacked
// (as the grading uid, in a sandbox where it can write the extract folder
// alone) into the work area. Only members named like the course's exercise
// files are unpacked, each at most kMaxMember bytes: links, devices, paths
// that climb out, and archives that expand to gigabytes come to nothing.
// Members that tar refuses are skipped; the lessons they were for then lack
// a file, and say so when they are built.
absl::StatusOr<std::string> Unpack(const std::string& submission, const Workspace& space,
                                   const Paths& course, const std::vector<Lesson>& lessons) {
  if (fs::is_directory(submission)) return submission;
  // Copied in first: the grading uid may not reach where the archive lies.
  const fs::path archive = fs::path(space.work()) / "submission.tar";
  std::error_code failed;
  fs::copy_file(submission, archive, failed);
  if (failed) return absl::InvalidArgumentError(absl::StrCat("cannot read ", submission));
  chmod(archive.c_str(), 0644);
  const std::string extract = space.WritableFolder("extract");
  std::vector<std::string> argv = {"tar",
                                   "-xf",
                                   archive.string(),
                                   "-C",
                                   extract,
                                   "--no-same-owner",
                                   "--no-same-permissions",
                                   "--wildcards",
                                   "--no-anchored"};
  for (const Lesson& lesson : lessons) {
    for (const auto& entry :
         fs::directory_iterator(fs::path(course.source) / "exercises" / lesson.dir, failed)) {
      argv.push_back(lesson.dir + "/" + entry.path().filename().string());
    }
  }
  constexpr std::size_t kMaxMember = std::size_t{2} << 20;
  harness::RunResult untar = harness::RunToEnd(
      argv, std::chrono::seconds(60), space.UnpackLimits(archive.string(), extract, kMaxMember));
  const bool any =
      fs::recursive_directory_iterator(extract, failed) != fs::recursive_directory_iterator();
  if (untar.code != 0 && !any) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot unpack ", submission, ": ", untar.output.substr(0, 2000)));
  }
  return extract;
}

// A block of uids when grading as root (which runs submissions as other
// uids); none otherwise.
absl::StatusOr<std::optional<UidBlock>> TakeUidsIfRoot() {
  if (geteuid() != 0) return std::optional<UidBlock>();
  absl::StatusOr<UidBlock> taken = UidBlock::Take();
  if (!taken.ok()) return taken.status();
  return std::optional<UidBlock>(std::move(*taken));
}

}  // namespace

absl::StatusOr<Grading> GradeSubmission(const Paths& course, GradeOptions options) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::vector<Lesson>> all = LoadLessons(course);
  if (!all.ok()) return all.status();
  absl::StatusOr<std::vector<Lesson>> lessons = SelectLessons(*all, options.lessons);
  if (!lessons.ok()) return lessons.status();
  std::error_code failed;
  const fs::path submission = fs::absolute(options.submission, failed);
  if (!fs::exists(submission, failed)) {
    return absl::NotFoundError(absl::StrCat("no submission at ", options.submission));
  }
  // Orphans of a submission (a fork bomb's children) are handed to this
  // process, which reaps them, instead of escaping to init.
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  Grading grading;
  grading.submission = options.submission;
  grading.seed = options.seed ? *options.seed : RandomSeed();
  // A uid of its own, which no grading beside it uses: the strays of a
  // submission are ended by killing every process of that uid.
  absl::StatusOr<std::optional<UidBlock>> block =
      options.uid < 0 ? TakeUidsIfRoot() : std::optional<UidBlock>();
  if (!block.ok()) return block.status();
  if (*block) options.uid = (*block)->base();
  if (geteuid() != 0) options.uid = -1;

  std::vector<const Lesson*> preflight;
  if (options.preflight) preflight = PreflightLessons(course, *all, *lessons);
  auto space = Workspace::Prepare(course, Built(*lessons, preflight), options);
  if (!space.ok()) return space.status();
  grading.isolation = (*space)->isolation();
  if (absl::Status ready = (*space)->Preflight(preflight, grading.seed); !ready.ok()) return ready;
  absl::StatusOr<std::string> from = Unpack(submission.string(), **space, course, *lessons);
  if (!from.ok()) return from.status();

  // The sources (read-only for the submission) and the build output (the
  // only place it may write).
  const std::string sources = (*space)->ReadableFolder("src");
  const std::string out = (*space)->WritableFolder("out");
  TakeSources(LessonRoot(*from, *all), (fs::path(course.source) / "exercises").string(), sources,
              *lessons);
  if (options.on_start) options.on_start(grading);
  for (const auto& lesson : *lessons) {
    grading.lessons.push_back((*space)->GradeLesson(lesson, sources, out, grading.seed));
    RemoveLeftovers(options.uid);
    if (options.on_lesson) options.on_lesson(grading.lessons.back());
    grading.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WriteReports(grading, *lessons, options.reports);  // as grading goes
  }
  grading.complete = true;
  grading.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WriteReports(grading, *lessons, options.reports);
  return grading;
}

namespace {

// The grader's own set-up, checked once before any submission of a class: a
// class must not be scored by a grader that cannot grade.
absl::Status CheckGrader(const Paths& course, const std::vector<Lesson>& all,
                         const std::vector<Lesson>& graded, GradeOptions options, int uid) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  options.uid = uid;
  std::vector<const Lesson*> preflight = PreflightLessons(course, all, graded);
  // The graded lessons too: this workspace brings their course objects up
  // to date for every submission of the class.
  auto space = Workspace::Prepare(course, Built(graded, preflight), options);
  if (!space.ok()) return space.status();
  return (*space)->Preflight(preflight, options.seed ? *options.seed : RandomSeed());
}

std::vector<std::string> GraderArguments(const ClassOptions& options, const fs::path& submission,
                                         const fs::path& reports, int uid) {
  std::vector<std::string> argv = {options.grader,
                                   "grade",
                                   submission.string(),
                                   "--quiet",
                                   "--no-preflight",
                                   "--json",
                                   (reports / "report.json").string(),
                                   "--junit",
                                   (reports / "junit.xml").string(),
                                   "--gradescope",
                                   (reports / "gradescope.json").string(),
                                   "--exercism",
                                   (reports / "exercism.json").string()};
  if (uid >= 0) {
    argv.push_back("--uid");
    argv.push_back(std::to_string(uid));
  }
  if (options.grade.seed) {
    argv.push_back("--seed");
    argv.push_back(std::to_string(*options.grade.seed));
  }
  if (!options.grade.sandbox) argv.push_back("--no-sandbox");
  argv.push_back("--build-budget");
  argv.push_back(std::to_string(options.grade.build_budget.count()));
  argv.push_back("--lesson-budget");
  argv.push_back(std::to_string(options.grade.lesson_budget.count()));
  for (const auto& lesson : options.grade.lessons) {
    argv.push_back("--lesson");
    argv.push_back(lesson);
  }
  return argv;
}

bool Complete(const fs::path& reports) {
  json report = json::parse(ReadFile(reports / "report.json"), nullptr, false);
  return report.is_object() && report.value("complete", false);
}

// The submissions in the class's folder that are in this shard, by name.
absl::StatusOr<std::vector<fs::path>> ListShard(const ClassOptions& options, ClassResult& result) {
  std::error_code failed;
  std::vector<std::string> listed;
  for (const auto& entry : fs::directory_iterator(options.dir, failed)) {
    listed.push_back(entry.path().filename().string());
  }
  if (failed) {
    return absl::NotFoundError(absl::StrCat("cannot read ", options.dir, ": ", failed.message()));
  }
  std::sort(listed.begin(), listed.end());
  std::vector<fs::path> submissions;
  for (const std::string& name : ShardMembers(listed, options.shard)) {
    submissions.push_back(fs::path(options.dir) / name);
  }
  result.in_other_shards = static_cast<int>(listed.size() - submissions.size());
  return submissions;
}

}  // namespace

absl::StatusOr<ClassResult> GradeClass(const Paths& course, const ClassOptions& options) {
  ClassResult result;
  absl::StatusOr<std::vector<fs::path>> submissions = ListShard(options, result);
  if (!submissions.ok()) return submissions.status();
  std::error_code failed;
  absl::StatusOr<std::vector<Lesson>> all = LoadLessons(course);
  if (!all.ok()) return all.status();
  absl::StatusOr<std::vector<Lesson>> graded = SelectLessons(*all, options.grade.lessons);
  if (!graded.ok()) return graded.status();
  // The class's uids (base + slot), held until the class is graded.
  absl::StatusOr<std::optional<UidBlock>> block = TakeUidsIfRoot();
  if (!block.ok()) return block.status();
  auto uid_of = [&](int slot) { return *block ? (*block)->base() + slot : -1; };
  const auto checking = std::chrono::steady_clock::now();
  if (absl::Status ready =
          CheckGrader(course, *all, *graded, options.grade, uid_of(kPreflightSlot));
      !ready.ok()) {
    return ready;
  }
  result.preflight_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - checking).count();
  const fs::path out =
      options.out.empty() ? fs::path(options.dir).parent_path() / "graded" : fs::path(options.out);
  fs::create_directories(out, failed);

  struct Job {
    std::string name;
    std::unique_ptr<harness::ChildProcess> child;
    int slot = 0;
  };
  std::vector<Job> running;
  std::vector<bool> slots(static_cast<std::size_t>(std::max(1, options.jobs)), false);
  std::size_t next = 0;
  auto say = [&](const std::string& line) {
    if (options.on_progress) options.on_progress(line);
  };
  while (next < submissions->size() || !running.empty()) {
    while (next < submissions->size() && running.size() < slots.size()) {
      const fs::path submission = (*submissions)[next++];
      const std::string name = submission.filename().string();
      if (Complete(out / name)) {
        ++result.already_graded;
        continue;
      }
      const int slot =
          static_cast<int>(std::find(slots.begin(), slots.end(), false) - slots.begin());
      fs::create_directories(out / name, failed);
      auto child = harness::ChildProcess::Spawn(
          GraderArguments(options, submission, out / name, uid_of(slot)));
      if (!child.ok()) {
        say(absl::StrCat("cannot start grading ", name));
        continue;
      }
      slots[static_cast<std::size_t>(slot)] = true;
      say("grading " + name);
      running.push_back({name, std::move(*child), slot});
    }
    for (auto it = running.begin(); it != running.end();) {
      if (!it->child->Exited()) {
        ++it;
        continue;
      }
      say(absl::StrCat("graded ", it->name, Complete(out / it->name) ? "" : " (incomplete)"));
      ++result.graded_now;
      slots[static_cast<std::size_t>(it->slot)] = false;
      it = running.erase(it);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::vector<std::string> names;
  for (const auto& submission : *submissions) names.push_back(submission.filename().string());
  if (absl::Status written = WriteGradebook(out.string(), names, *graded, options.shard);
      !written.ok()) {
    return written;
  }
  result.gradebook = (out / "gradebook.csv").string();
  return result;
}

}  // namespace course::lessons
