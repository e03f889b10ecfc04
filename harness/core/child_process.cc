#include "core/child_process.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace course::harness {
namespace {

// Output beyond this is dropped, so a server that floods cannot exhaust the
// harness's memory.
constexpr std::size_t kCaptureCap = 1 << 20;

// How long WaitExit lets the capture catch up once the process has exited.
constexpr std::chrono::milliseconds kDrainBound{500};

void SetLimit(int resource, rlim_t value) {
  if (value == 0) return;
  rlimit limit{value, value};
  setrlimit(resource, &limit);
}

void AppendCapped(std::string& text, const char* data, std::size_t size) {
  if (text.size() >= kCaptureCap) return;
  text.append(data, std::min(size, kCaptureCap - text.size()));
}

}  // namespace

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) {
    return absl::StrCat("exited with status ", WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return absl::StrCat("killed by signal ", WTERMSIG(status), " (", strsignal(WTERMSIG(status)),
                        ")");
  }
  return absl::StrCat("ended with wait status ", status);
}

namespace {

// Whether any process runs as `uid`, from /proc. Reaps the ones that are
// this process's own zombies (orphans come to us when we are a subreaper),
// since zombies still count against the uid's process limit.
bool AnyProcessOf(int uid) {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return false;
  bool found = false;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    struct stat info {};
    const std::string path = std::string("/proc/") + entry->d_name;
    if (stat(path.c_str(), &info) != 0 || static_cast<int>(info.st_uid) != uid) continue;
    const pid_t pid = static_cast<pid_t>(std::atoi(entry->d_name));
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) continue;  // ours, and now gone
    found = true;
  }
  closedir(proc);
  return found;
}

// The process group of a /proc/PID/stat line: the fifth field, counted
// after the command name, whose parentheses may hold anything.
std::optional<pid_t> GroupOfStat(const std::string& stat_line) {
  const std::size_t close = stat_line.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(stat_line.substr(close + 1));
  std::string state;
  long parent = 0;
  long group = 0;
  if (!(fields >> state >> parent >> group)) return std::nullopt;
  return static_cast<pid_t>(group);
}

// The "Threads:" line of /proc/PID/status, or 0 when the process is gone.
int ThreadsOf(const std::string& pid) {
  std::ifstream status("/proc/" + pid + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::atoi(line.c_str() + 8);
  }
  return 0;
}

}  // namespace

void KillEveryProcessOf(int uid) {
  if (uid < 0 || geteuid() != 0) return;
  // A fork bomb forks while it is being killed: freeze everything first
  // (a stopped process cannot fork), then kill, until nothing is left.
  for (int round = 0; round < 200 && AnyProcessOf(uid); ++round) {
    const pid_t pid = fork();
    if (pid == 0) {
      // As that uid, kill(-1) reaches exactly that uid's processes (and this one).
      if (setuid(static_cast<uid_t>(uid)) == 0) {
        for (int i = 0; i < 3; ++i) kill(-1, SIGSTOP);
        kill(-1, SIGKILL);
      }
      _exit(0);
    }
    if (pid > 0) {
      int status = 0;
      waitpid(pid, &status, 0);
    }
    // Killed children of the harness's own spawns need reaping elsewhere;
    // others are reaped by init. Give the kernel a moment to tear them down.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Spawn(
    const std::vector<std::string>& argv, const ChildLimits& limits, const std::string& working_dir,
    const std::vector<std::string>& env) {
  if (argv.empty()) return absl::InvalidArgumentError("empty command");
  const bool sandboxed = limits.sandbox != nullptr;
  const std::vector<std::string> command =
      sandboxed ? SandboxArgv(*limits.sandbox, argv, working_dir.empty() ? "/tmp" : working_dir)
                : argv;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
    return absl::InternalError(absl::StrCat("pipe: ", strerror(errno)));
  }
  std::vector<char*> args;
  for (const std::string& arg : command) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  // The child's environment is built here, before fork: after fork only
  // async-signal-safe calls are allowed.
  std::vector<std::string> env_strings;
  if (sandboxed) {
    env_strings = SandboxEnvironment();
  } else {
    for (char** entry = environ; *entry != nullptr; ++entry) env_strings.emplace_back(*entry);
  }
  env_strings.insert(env_strings.end(), env.begin(), env.end());
  std::vector<char*> envp;
  for (std::string& entry : env_strings) envp.push_back(entry.data());
  envp.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls from here on.
    // A session of its own: its own process group, and no terminal to
    // reach the grader's user through.
    setsid();
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    SetLimit(RLIMIT_AS, limits.memory_bytes);
    SetLimit(RLIMIT_CPU, static_cast<rlim_t>(limits.cpu_seconds));
    SetLimit(RLIMIT_NPROC, static_cast<rlim_t>(limits.processes));
    SetLimit(RLIMIT_FSIZE, limits.file_bytes);
    SetLimit(RLIMIT_CORE, 0);
    // In a sandbox, bwrap lays out the view and drops the uid.
    if (!sandboxed && limits.view != nullptr && geteuid() == 0 && !limits.view->Apply()) {
      _exit(124);
    }
    if (!sandboxed && limits.uid >= 0 && geteuid() == 0) {
      const gid_t no_groups[] = {static_cast<gid_t>(limits.uid)};
      if (setgroups(1, no_groups) != 0 || setgid(static_cast<gid_t>(limits.uid)) != 0 ||
          setuid(static_cast<uid_t>(limits.uid)) != 0) {
        _exit(125);
      }
    }
    // After the view and the uid: the folder is reached as the child sees it.
    if (!sandboxed && !working_dir.empty() && chdir(working_dir.c_str()) != 0) _exit(126);
    execvpe(args[0], args.data(), envp.data());
    const char msg[] = "exec failed\n";
    (void)!write(STDERR_FILENO, msg, sizeof msg - 1);
    _exit(127);
  }
  // Parent. The child makes its own session (a group the parent set up for
  // it could not); KillGroup also kills the child itself, in case it is
  // killed before it got that far.
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::unique_ptr<ChildProcess> child(new ChildProcess());
  child->pid_ = pid;
  child->sandboxed_ = sandboxed;
  child->out_thread_ = std::thread([c = child.get(), fd = out_pipe[0]] { c->Pump(fd, true); });
  child->err_thread_ = std::thread([c = child.get(), fd = err_pipe[0]] { c->Pump(fd, false); });
  return child;
}

ChildProcess::~ChildProcess() {
  KillGroup();
  if (out_thread_.joinable()) out_thread_.join();
  if (err_thread_.joinable()) err_thread_.join();
}

void ChildProcess::Pump(int fd, bool is_stdout) {
  char buffer[4096];
  while (true) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mu_);
    if (!is_stdout) {
      AppendCapped(stderr_text_, buffer, static_cast<std::size_t>(n));
      continue;
    }
    AppendCapped(stdout_all_, buffer, static_cast<std::size_t>(n));
    for (ssize_t i = 0; i < n; ++i) {
      if (buffer[i] == '\n') {
        if (stdout_lines_.size() < 10000) stdout_lines_.push_back(stdout_partial_);
        stdout_partial_.clear();
      } else if (stdout_partial_.size() < 64 * 1024) {
        stdout_partial_.push_back(buffer[i]);
      }
    }
  }
  close(fd);
  std::lock_guard lock(mu_);
  (is_stdout ? stdout_closed_ : stderr_closed_) = true;
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (!stdout_lines_.empty()) {
        std::string line = std::move(stdout_lines_.front());
        stdout_lines_.pop_front();
        return line;
      }
      if (stdout_closed_) return std::nullopt;
    }
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    // Polling keeps this simple; 5 ms is far below any start-up bound.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

void ChildProcess::Reap(int status) {
  reaped_ = true;
  exit_status_ = sandboxed_ ? UnwrapSandboxStatus(status) : status;
}

bool ChildProcess::Exited(std::string* how) {
  std::lock_guard lock(mu_);
  if (!reaped_) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) Reap(status);
  }
  if (reaped_ && how != nullptr) *how = DescribeWaitStatus(exit_status_);
  return reaped_;
}

std::optional<int> ChildProcess::WaitExit(std::chrono::milliseconds timeout, std::string* how) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (!Exited(how)) {
    if (std::chrono::steady_clock::now() >= until) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  // The process is gone, but the pump threads may not yet have read the last
  // of what it wrote (its "boom" on stderr, say). Bounded: a grandchild may
  // hold the pipes open for ever.
  const auto drained_by = std::chrono::steady_clock::now() + kDrainBound;
  std::unique_lock lock(mu_);
  while (!(stdout_closed_ && stderr_closed_) && std::chrono::steady_clock::now() < drained_by) {
    lock.unlock();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    lock.lock();
  }
  return WIFEXITED(exit_status_) ? WEXITSTATUS(exit_status_) : 128 + WTERMSIG(exit_status_);
}

void ChildProcess::Signal(int signal) {
  if (!Exited()) kill(pid_, signal);
}

void ChildProcess::KillGroup() {
  if (pid_ <= 0) return;
  kill(-pid_, SIGKILL);
  std::lock_guard lock(mu_);
  if (!reaped_) {
    kill(pid_, SIGKILL);
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_) Reap(status);
  }
}

std::string ChildProcess::StderrTail(std::size_t lines) const {
  std::lock_guard lock(mu_);
  std::size_t pos = stderr_text_.size();
  if (pos > 0 && stderr_text_.back() == '\n') --pos;
  for (std::size_t seen = 0; pos > 0; --pos) {
    if (stderr_text_[pos - 1] == '\n' && ++seen == lines) break;
  }
  return stderr_text_.substr(pos);
}

RunResult RunToEnd(const std::vector<std::string>& argv, std::chrono::seconds bound,
                   const ChildLimits& limits, const std::string& working_dir,
                   const std::vector<std::string>& env) {
  RunResult run;
  const auto start = std::chrono::steady_clock::now();
  auto child = ChildProcess::Spawn(argv, limits, working_dir, env);
  if (!child.ok()) {
    run.output = std::string(child.status().message());
    return run;
  }
  std::optional<int> code = (*child)->WaitExit(bound);
  run.output = (*child)->StdoutText() + (*child)->StderrTail(60);
  run.code = code ? *code : -1;
  if (!code) run.output += absl::StrCat("\n(stopped: over its budget of ", bound.count(), " s)");
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

std::optional<int> ChildProcess::GroupThreads() const {
  DIR* proc = opendir("/proc");
  if (proc == nullptr) return std::nullopt;
  int threads = 0;
  bool leader_seen = false;
  while (dirent* entry = readdir(proc)) {
    if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
    std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
    std::string line;
    if (!std::getline(stat, line) || GroupOfStat(line) != pid_) continue;
    leader_seen = leader_seen || std::atoi(entry->d_name) == pid_;
    threads += ThreadsOf(entry->d_name);
  }
  closedir(proc);
  if (!leader_seen) return std::nullopt;
  return threads;
}

std::string ChildProcess::StdoutText() const {
  std::lock_guard lock(mu_);
  return stdout_all_;
}

}  // namespace course::harness
