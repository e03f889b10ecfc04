#include "core/sandbox.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "core/child_process.h"

namespace course::harness {
namespace fs = std::filesystem;

namespace {

constexpr char kBwrap[] = "/usr/bin/bwrap";
constexpr char kSetpriv[] = "/usr/bin/setpriv";

bool Within(const fs::path& inner, const fs::path& outer) {
  auto [end, unused] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return end == outer.end();
}

// The system: programs, libraries, headers and configuration, read-only.
// The /bin and /lib folders are links into /usr on a merged system.
void AddSystem(std::vector<std::string>& args, std::vector<fs::path>& shown) {
  for (const char* dir : {"/usr", "/etc"}) {
    args.insert(args.end(), {"--ro-bind", dir, dir});
    shown.emplace_back(dir);
  }
  for (const char* dir : {"/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}) {
    std::error_code failed;
    const fs::file_status status = fs::symlink_status(dir, failed);
    if (failed || !fs::exists(status)) continue;
    if (fs::is_symlink(status)) {
      args.insert(args.end(), {"--symlink", fs::read_symlink(dir, failed).string(), dir});
    } else if (fs::is_directory(status)) {
      args.insert(args.end(), {"--ro-bind", dir, dir});
      shown.emplace_back(dir);
    }
  }
}

}  // namespace

std::vector<std::string> SandboxArgv(const SandboxPolicy& policy,
                                     const std::vector<std::string>& argv,
                                     const std::string& chdir) {
  // No --new-session: ChildProcess already starts it in a session of its
  // own, without a terminal, and keeps the sandbox's processes in one group
  // (GroupThreads, KillGroup).
  std::vector<std::string> args = {
      kBwrap,          "--die-with-parent",    "--unshare-pid", "--unshare-ipc",
      "--unshare-uts", "--unshare-cgroup-try", "--hostname",    "sandbox"};
  if (policy.own_network) args.push_back("--unshare-net");
  std::vector<fs::path> shown;
  AddSystem(args, shown);
  // 1777: the folders must be writable by the uid dropped to inside.
  args.insert(args.end(), {"--dev", "/dev", "--proc", "/proc", "--perms", "1777", "--tmpfs", "/tmp",
                           "--perms", "1777", "--tmpfs", "/dev/shm"});
  for (const std::string& path : policy.hidden) {
    const bool visible = std::any_of(shown.begin(), shown.end(),
                                     [&](const fs::path& dir) { return Within(path, dir); });
    if (visible) args.insert(args.end(), {"--tmpfs", path});
  }
  // The folders above what is bound: bwrap would make them mode 0700 as
  // root, which the grading uid could not pass.
  std::vector<std::string> made;
  auto make_parents = [&](const fs::path& path, bool itself) {
    fs::path walked = "/";
    for (const auto& part : path.relative_path()) {
      walked /= part;
      if (!itself && walked == path) break;
      const std::string dir = walked.string();
      if (std::find(made.begin(), made.end(), dir) != made.end()) continue;
      made.push_back(dir);
      args.insert(args.end(), {"--perms", "0755", "--dir", dir});
    }
  };
  if (!chdir.empty()) make_parents(chdir, true);
  for (const std::string& path : policy.read_only) make_parents(path, false);
  for (const std::string& path : policy.writable) make_parents(path, false);
  for (const std::string& path : policy.read_only) {
    args.insert(args.end(), {"--ro-bind", path, path});
  }
  for (const std::string& path : policy.writable) args.insert(args.end(), {"--bind", path, path});
  if (!chdir.empty()) args.insert(args.end(), {"--chdir", chdir});
  if (policy.uid >= 0 && geteuid() == 0) {
    // bwrap runs as root here (no user namespace needed); the command drops
    // to the grading uid before it starts, keeping no capability.
    const std::string id = std::to_string(policy.uid);
    args.insert(args.end(), {"--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add",
                             "CAP_SETGID", "--", kSetpriv, "--reuid", id, "--regid", id,
                             "--clear-groups", "--inh-caps=-all", "--no-new-privs"});
  } else {
    args.push_back("--");
  }
  args.insert(args.end(), argv.begin(), argv.end());
  return args;
}

std::vector<std::string> SandboxEnvironment() {
  return {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "TMPDIR=/tmp", "LANG=C.UTF-8"};
}

std::vector<std::string> OwnNetworkArgv(const std::vector<std::string>& argv) {
  std::vector<std::string> args = {kBwrap, "--die-with-parent", "--unshare-net", "--bind", "/",
                                   "/"};
  // As root, bwrap keeps every capability for a command that stays root.
  args.push_back("--");
  args.insert(args.end(), argv.begin(), argv.end());
  return args;
}

absl::Status ProbeSandbox(const SandboxPolicy& policy) {
  if (access(kBwrap, X_OK) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(kBwrap, " is missing (Debian's bubblewrap package)"));
  }
  // The sandbox must start, and must have no network but loopback.
  const std::string no_network =
      "while read -r name rest; do case $name in lo:|Inter-*|face) ;; *) exit 3;; esac; done "
      "</proc/net/dev";
  for (const auto& argv : {SandboxArgv(policy, {"/bin/sh", "-c", no_network}, "/tmp"),
                           OwnNetworkArgv({"/bin/sh", "-c", no_network})}) {
    ChildLimits limits;
    RunResult ran = RunToEnd(argv, std::chrono::seconds(30), limits, "", SandboxEnvironment());
    if (ran.code == 0) continue;
    std::string why = ran.output;
    while (!why.empty() && why.back() == '\n') why.pop_back();
    if (ran.code == 3) why = "a network interface other than loopback is visible";
    return absl::FailedPreconditionError(why.empty() ? absl::StrCat("exit ", ran.code) : why);
  }
  return absl::OkStatus();
}

int UnwrapSandboxStatus(int wait_status) {
  if (!WIFEXITED(wait_status)) return wait_status;
  const int code = WEXITSTATUS(wait_status);
  if (code > 128 && code < 128 + 32) return code - 128;  // "killed by signal N"
  return wait_status;
}

}  // namespace course::harness
