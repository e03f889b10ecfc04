// A child process in its own process group, with its output captured and
// capped, and the whole group killed when it is dropped. Used to start the
// server under test (and, later, to build and run submissions).
#ifndef COURSE_HARNESS_CORE_CHILD_PROCESS_H_
#define COURSE_HARNESS_CORE_CHILD_PROCESS_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "core/file_view.h"
#include "core/sandbox.h"

namespace course::harness {

struct ChildLimits {
  // Zero means no limit.
  std::size_t memory_bytes = 0;  // RLIMIT_AS
  int cpu_seconds = 0;           // RLIMIT_CPU
  int processes = 0;             // RLIMIT_NPROC
  std::size_t file_bytes = 0;    // RLIMIT_FSIZE
  // When >= 0 (and the harness runs as root), the child drops to this uid
  // and gid: RLIMIT_NPROC then really bounds its processes, and it cannot
  // touch files the grader owns.
  int uid = -1;
  // When set (and the harness runs as root), the child sees the course's
  // files through this view: see core/file_view.h.
  std::shared_ptr<const PreparedView> view;
  // When set, the child runs in this sandbox (core/sandbox.h), which then
  // also drops the uid; `view` is not used. Its environment is the
  // sandbox's plus the `env` given to Spawn. The child is then bwrap: a
  // signal sent with Signal ends the whole sandbox (the command gets
  // SIGKILL, so a SIGTERM drain cannot be checked there), and an exit
  // status of 128 + N is reported as "killed by signal N".
  std::shared_ptr<const SandboxPolicy> sandbox;
};

// Kills every process that runs as `uid` (for example a fork bomb whose
// children left their process group). Needs root; a no-op otherwise.
void KillEveryProcessOf(int uid);

class ChildProcess {
 public:
  // Runs `argv` (argv[0] looked up on PATH) in a new session and process
  // group (so it has no controlling terminal).
  // stdout lines are kept for ReadLine; stderr is kept, capped, for Tail.
  // `env` entries ("KEY=value") are added to the child's environment.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Spawn(
      const std::vector<std::string>& argv, const ChildLimits& limits = {},
      const std::string& working_dir = "", const std::vector<std::string>& env = {});
  ~ChildProcess();  // kills the whole group

  pid_t pid() const { return pid_; }
  // The next stdout line, waiting at most `timeout`. nullopt on timeout or
  // when stdout closed (see Exited).
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Whether the process has exited; fills its status description.
  bool Exited(std::string* how = nullptr);
  // Waits up to `timeout` for the exit; nullopt when still running. After an
  // exit it also lets the capture catch up (briefly), so that StderrTail
  // holds what the process wrote before it ended.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout, std::string* how = nullptr);
  void Signal(int signal);  // to the process alone
  void KillGroup();         // SIGKILL to the whole group, then reap
  // The last `lines` lines of stderr (and of stdout not yet read).
  std::string StderrTail(std::size_t lines = 15) const;
  // The threads that the processes of the child's group run now, from
  // /proc; nullopt when the child is gone or /proc cannot tell.
  std::optional<int> GroupThreads() const;
  // Everything captured from stdout so far (capped).
  std::string StdoutText() const;

 private:
  ChildProcess() = default;
  void Pump(int fd, bool is_stdout);
  void Reap(int status);

  pid_t pid_ = -1;
  std::thread out_thread_, err_thread_;
  mutable std::mutex mu_;
  std::deque<std::string> stdout_lines_;
  std::string stdout_partial_, stdout_all_;
  std::string stderr_text_;
  bool stdout_closed_ = false;
  bool stderr_closed_ = false;
  bool reaped_ = false;
  int exit_status_ = 0;
  bool sandboxed_ = false;
};

// A child run to its end, or stopped at `bound`.
struct RunResult {
  int code = -1;       // exit code; -1 when it could not start or ran over
  std::string output;  // stdout, then the last lines of stderr (capped)
  double seconds = 0;
};
RunResult RunToEnd(const std::vector<std::string>& argv, std::chrono::seconds bound,
                   const ChildLimits& limits = {}, const std::string& working_dir = "",
                   const std::vector<std::string>& env = {});

// Describes a wait() status: "exited with status 3", "killed by signal 11 (Segmentation fault)".
std::string DescribeWaitStatus(int status);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_CHILD_PROCESS_H_
