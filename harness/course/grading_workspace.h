// Grading's insides, shared by one submission and a class: the private work
// area, the uid, limits and view a submission runs under, the pre-flight
// check of the grader's own set-up, and grading one lesson.
#ifndef COURSE_HARNESS_COURSE_GRADING_WORKSPACE_H_
#define COURSE_HARNESS_COURSE_GRADING_WORKSPACE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/child_process.h"
#include "course/grading.h"
#include "course/grading_build.h"

namespace course::lessons {

// A seed for one grading, from /dev/urandom.
std::uint64_t RandomSeed();

// Stops every process of `uid` and removes its files from /tmp, /dev/shm
// and /var/tmp (root only; a no-op for uid -1).
void RemoveLeftovers(int uid);

// A private work area in /tmp and what grading needs to use it: the uid, its
// limits, the view of the course it gets, and the course's build commands.
// Dropping it stops the uid's processes and removes the area.
class Workspace {
 public:
  // Sets up the area, the limits and (as root) the view: every build
  // command's inputs, read-only, and nothing else of the course, wherever the
  // course lives. `lessons` are all the lessons that will be built.
  static absl::StatusOr<std::unique_ptr<Workspace>> Prepare(const Paths& course,
                                                            const std::vector<Lesson>& lessons,
                                                            const GradeOptions& options);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  const std::string& work() const { return work_; }
  const std::string& isolation() const { return isolation_; }
  // Whether submissions run in a sandbox (core/sandbox.h); when not, the
  // isolation says why, in every report.
  bool sandboxed() const { return sandbox_ != nullptr; }
  const harness::ChildLimits& limits() const { return limits_; }
  int uid() const { return limits_.uid; }
  // The limits to unpack an archive under: the grading uid, in a sandbox
  // (when there is one) that sees `archive` and may write `extract` alone,
  // and files of at most `file_bytes`.
  harness::ChildLimits UnpackLimits(const std::string& archive, const std::string& extract,
                                    std::size_t file_bytes) const;
  // A fresh folder owned by root that the grading uid can read.
  std::string ReadableFolder(const std::string& name) const;
  // A fresh folder the grading uid can write.
  std::string WritableFolder(const std::string& name) const;

  // Builds one lesson from `sources` into `out` and runs its checks.
  LessonGrade GradeLesson(const Lesson& lesson, const std::string& sources, const std::string& out,
                          std::uint64_t seed) const;

  // Grades the course's own solution of each of `lessons` exactly as a
  // submission is graded. Anything short of full marks is the grader's
  // set-up failing (FailedPrecondition), never a student's fault.
  absl::Status Preflight(const std::vector<const Lesson*>& lessons, std::uint64_t seed) const;

 private:
  Workspace(const Paths& course, const GradeOptions& options)
      : course_(course), options_(options) {}
  // Sets up the sandbox, or says in isolation_ why there is none.
  absl::Status PrepareIsolation(const std::vector<TargetCommands>& targets,
                                const std::vector<Lesson>& lessons);
  // The lesson's checks and tests, in the sandbox or (without one) here.
  LessonResult RunChecks(const Lesson& lesson, const std::string& sources, const std::string& out,
                         std::uint64_t seed) const;

  Paths course_;
  GradeOptions options_;
  std::string work_;
  std::string isolation_;
  harness::ChildLimits limits_;
  // The course paths every lesson's sandbox shows; null without a sandbox.
  std::shared_ptr<const harness::SandboxPolicy> sandbox_;
  std::map<std::string, std::vector<TargetCommands>> commands_;  // by lesson id
};

// One lesson of each kind the grader builds and runs among `graded` (a
// server, a test binary, both): the first of each kind in the manifest.
std::vector<const Lesson*> PreflightLessons(const Paths& course, const std::vector<Lesson>& all,
                                            const std::vector<Lesson>& graded);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADING_WORKSPACE_H_
