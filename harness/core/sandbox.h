// A sandbox for a submission's build steps and servers, on Debian's
// bubblewrap (`bwrap`).
//
// Why bubblewrap: it is the sandbox Flatpak and many build tools rely on, it
// is packaged and kept up to date by Debian, and it does in one tested
// program what a grader would otherwise write by hand with unshare(2),
// mount(2) and pivot_root(2): namespaces for mounts, processes, IPC and the
// network (loopback alone, brought up by bwrap), a root made only of what is
// bound into it, and a pid namespace whose first process takes every other
// one with it when it ends, so nothing a submission starts outlives it, even
// after it left its process group with setsid(). As root it needs no user
// namespaces, and `setpriv` (util-linux) drops to the grading uid inside; as
// an ordinary user it runs in a user namespace, where the host allows them.
//
// What a sandboxed command sees: the system (/usr, /etc and the /bin, /lib
// links) read-only, a private /dev, /proc and writable /tmp, the course paths
// in `read_only` (the allowlist that course/grading_build.h computes), and the
// folders in `writable`. Nothing else: no home folders, no /root, no other
// submission, no report, no .git, no solution.
#ifndef COURSE_HARNESS_CORE_SANDBOX_H_
#define COURSE_HARNESS_CORE_SANDBOX_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace course::harness {

struct SandboxPolicy {
  std::vector<std::string> read_only;  // bound read-only at their own paths
  std::vector<std::string> writable;   // bound read-write at their own paths
  // Hidden under an empty folder when the system binds would show them (a
  // course kept below /usr or /etc, say); elsewhere they are absent anyway.
  std::vector<std::string> hidden;
  // A network namespace of its own, loopback alone. When false the command
  // shares the network namespace of the process that starts it (a checker
  // that is already in a namespace of its own, see OwnNetworkArgv).
  bool own_network = true;
  int uid = -1;  // as root: the uid the command runs as (-1: stay as is)
};

// The bwrap command line that runs `argv` under `policy`, in `chdir` (made
// if missing).
std::vector<std::string> SandboxArgv(const SandboxPolicy& policy,
                                     const std::vector<std::string>& argv,
                                     const std::string& chdir);

// The environment a sandboxed command starts with (PATH, HOME=/tmp, ...):
// none of the grader's own variables reach a submission.
std::vector<std::string> SandboxEnvironment();

// The command line that runs `argv` (trusted: the grader's own checker) in a
// network namespace of its own with loopback alone, seeing the machine as the
// grader does; as root it keeps its capabilities, to start sandboxes itself.
std::vector<std::string> OwnNetworkArgv(const std::vector<std::string>& argv);

// Whether sandboxes work here: runs a command in a sandbox under `policy`,
// and one under OwnNetworkArgv. Not OK, with bwrap's own words, where bwrap
// is missing or the host forbids the namespaces it needs.
absl::Status ProbeSandbox(const SandboxPolicy& policy);

// bwrap reports a command killed by signal N as exit status 128 + N; this
// turns such a status back into the signal, for the report.
int UnwrapSandboxStatus(int wait_status);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_SANDBOX_H_
