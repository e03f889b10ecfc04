// What a child that runs as another uid sees of the course's files.
//
// The grader drops each submission to an unprivileged uid. That uid must
// read the course's headers, generated code, precompiled header and libraries
// wherever the course was cloned, including below a folder it cannot enter
// (`/root` is mode 700), and it should read nothing else of the course (the
// solutions, their binaries, the quiz answer keys, `.git`).
//
// A FileView does both in a mount namespace of the child's own: every folder
// in `cover` is laid over with an empty tmpfs, and every path in `show` is
// bound back read-only at its own place, so that the compile and link
// commands, which name absolute paths, work unchanged. Needs root (the mounts
// are made before the child drops its uid); the host's mounts are untouched.
#ifndef COURSE_HARNESS_CORE_FILE_VIEW_H_
#define COURSE_HARNESS_CORE_FILE_VIEW_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace course::harness {

struct FileView {
  std::vector<std::string> cover;  // folders hidden under an empty tmpfs (mode 0755)
  std::vector<std::string> show;   // files and folders bound back read-only
  std::string staging;             // an empty folder the child uses while it sets up
  bool empty() const { return cover.empty() && show.empty(); }
};

// Plans the view that hides every folder in `roots` (the course's source and
// build folders) except the paths in `show`. Each root is covered at the
// highest folder above it that `uid` cannot enter, or at the root itself, so
// the shown paths become reachable whatever the permissions above them.
// `keep_outside` (the grader's own work folder) must stay reachable and
// writable: a plan that would cover it is an error, as is a shown path that
// does not exist.
absl::StatusOr<FileView> PlanFileView(const std::vector<std::string>& roots,
                                      const std::vector<std::string>& show, int uid,
                                      const std::string& staging, const std::string& keep_outside);

// The mount steps of a view, prepared before fork so that the child only
// makes system calls (no allocation) between fork and exec.
class PreparedView {
 public:
  explicit PreparedView(const FileView& view);
  // In the forked child, as root: enters a new mount namespace and lays the
  // view out. On failure writes a one-line reason to stderr and returns false.
  bool Apply() const;

 private:
  enum class Op { kMkdir, kTouch, kBind, kTmpfs, kReadOnly, kDetach };
  struct Step {
    Op op;
    std::string a, b;
  };
  std::vector<Step> steps_;
};

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_FILE_VIEW_H_
