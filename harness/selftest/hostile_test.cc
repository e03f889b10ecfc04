// The real command line against hostile non-servers: things that listen
// where a gRPC server should and then stay silent, speak HTTP/1, send
// garbage, close or reset; servers that exit early, never listen or print
// the wrong line; and bad flags. Every run must end within a bound, with
// exit code 2 ("could not run") or 1 ("failed"), never a hang or a signal,
// and say why in words a person can act on.
//
// The cases run in parallel (each mostly waits out a start-up bound), so a
// run of the whole binary takes seconds rather than a minute.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "core/child_process.h"

#ifndef COURSE_CLI
#error "COURSE_CLI must name the course-cli binary"
#endif
#ifndef COURSE_HOSTILE
#error "COURSE_HOSTILE must name the course-hostile-server binary"
#endif

namespace course::harness {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;

// Far above what any case needs (about 3.5 s): a run that reaches it hung.
constexpr std::chrono::seconds kCliBound{60};
constexpr milliseconds kHostileStartBound{10000};

// The bounds every conform run gets; the start-up bound decides how long
// the could-not-connect cases take.
const std::vector<std::string> kConformBounds = {
    "--rpc-deadline-ms", "1000", "--start-timeout-ms", "3000", "--timeout", "40"};

enum class Via {
  kServerCmd,  // the CLI starts the hostile server: --server-cmd
  kTarget,     // the test starts it and passes its address: --target
  kArgs,       // no hostile server: the CLI's arguments alone
};

struct HostileCase {
  std::string name;  // the test's name
  Via via;
  std::string mode;               // the hostile server's --mode
  std::vector<std::string> args;  // for Via::kArgs
  int want_code;
  std::vector<std::string> want_phrases;  // each must appear in the output
  bool one_line = false;                  // the whole output is one line
};

void PrintTo(const HostileCase& c, std::ostream* out) { *out << c.name; }

struct CliRun {
  std::string setup_error;  // the test could not start its hostile server
  std::string address;      // for Via::kTarget: where the hostile server is
  std::string command;      // the command line, for failure messages
  bool ended = false;       // exited within kCliBound
  int code = -1;
  std::string how;     // "exited with status 2", "killed by signal 11 (...)"
  std::string output;  // stdout and stderr, interleaved as written
  double seconds = 0;
};

// `arg` quoted for /bin/sh, so that a failure's command can be pasted.
std::string ShellQuote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Runs course-cli with `args`, stdout and stderr merged, bounded.
CliRun RunCli(const std::vector<std::string>& args) {
  CliRun run;
  std::vector<std::string> argv = {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>&1", COURSE_CLI};
  argv.insert(argv.end(), args.begin(), args.end());
  run.command = COURSE_CLI;
  for (const std::string& arg : args) run.command += " " + ShellQuote(arg);

  const auto start = steady_clock::now();
  const auto until = start + kCliBound;
  auto left = [&until] {
    return std::max(milliseconds(0),
                    std::chrono::duration_cast<milliseconds>(until - steady_clock::now()));
  };
  auto cli = ChildProcess::Spawn(argv);
  if (!cli.ok()) {
    run.setup_error = std::string(cli.status().message());
    return run;
  }
  // Read until the output closes (the CLI ended) or the bound passes.
  while ((*cli)->ReadLine(left())) {
  }
  const std::optional<int> code = (*cli)->WaitExit(left(), &run.how);
  run.seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
  run.ended = code.has_value();
  run.code = code.value_or(-1);
  run.output = (*cli)->StdoutText();
  return run;
}

CliRun RunCase(const HostileCase& c) {
  const std::string hostile = COURSE_HOSTILE;
  std::vector<std::string> args;
  switch (c.via) {
    case Via::kArgs:
      return RunCli(c.args);
    case Via::kServerCmd: {
      args = {"conform", "--server-cmd", "'" + hostile + "' --mode " + c.mode};
      args.insert(args.end(), kConformBounds.begin(), kConformBounds.end());
      return RunCli(args);
    }
    case Via::kTarget:
      break;
  }
  CliRun run;
  auto server = ChildProcess::Spawn({hostile, "--mode", c.mode});
  if (!server.ok()) {
    run.setup_error = std::string(server.status().message());
    return run;
  }
  const std::string prefix = "listening on ";
  std::optional<std::string> line = (*server)->ReadLine(kHostileStartBound);
  if (!line || line->rfind(prefix, 0) != 0) {
    run.setup_error =
        "the hostile server did not print its listening line: " + line.value_or("(nothing)") +
        "\n" + (*server)->StderrTail();
    return run;
  }
  const std::string address = line->substr(prefix.size());
  args = {"conform", "--target", address};
  args.insert(args.end(), kConformBounds.begin(), kConformBounds.end());
  run = RunCli(args);
  run.address = address;
  // The hostile server must have outlived the run (or the verdict was about
  // something else than what this case means to test).
  std::string how;
  if ((*server)->Exited(&how)) {
    run.setup_error =
        "the hostile server ended during the run: " + how + "\n" + (*server)->StderrTail();
  }
  (*server)->Signal(SIGTERM);
  (*server)->WaitExit(milliseconds(5000));
  return run;
}

std::vector<HostileCase> Cases() {
  const std::string kCouldNotConnect = "could not connect to 127.0.0.1:";
  std::vector<HostileCase> cases;
  // A socket that accepts TCP but never speaks HTTP/2: gRPC waits for the
  // server's SETTINGS frame before the channel is ready, so the harness
  // never gets as far as a check.
  const std::vector<std::pair<std::string, std::string>> sockets = {{"silent", "Silent"},
                                                                    {"http1", "Http1"},
                                                                    {"garbage", "Garbage"},
                                                                    {"close", "Close"},
                                                                    {"reset", "Reset"}};
  for (const auto& [mode, name] : sockets) {
    cases.push_back(
        {name + "AsServerCmd", Via::kServerCmd, mode, {}, 2, {kCouldNotConnect, "within 3000 ms"}});
    cases.push_back(
        {name + "AsTarget", Via::kTarget, mode, {}, 2, {kCouldNotConnect, "within 3000 ms"}});
  }
  cases.push_back({"ExitEarlyAsServerCmd",
                   Via::kServerCmd,
                   "exit-early",
                   {},
                   2,
                   {"exited with status 3", "before it printed", "boom"}});
  cases.push_back({"NeverListensAsServerCmd",
                   Via::kServerCmd,
                   "never-listens",
                   {},
                   2,
                   {"did not print `listening on HOST:PORT` within 3000 ms"}});
  cases.push_back({"WrongLineAsServerCmd",
                   Via::kServerCmd,
                   "wrong-line",
                   {},
                   2,
                   {"first stdout line should be `listening on HOST:PORT`", "ready!"}});

  std::vector<std::string> refused = {"conform", "--target", "127.0.0.1:1"};
  refused.insert(refused.end(), kConformBounds.begin(), kConformBounds.end());
  cases.push_back({"ConnectionRefusedAsTarget",
                   Via::kArgs,
                   "",
                   refused,
                   2,
                   {"could not connect to 127.0.0.1:1 "}});
  std::vector<std::string> no_program = {"conform", "--server-cmd",
                                         "/nonexistent/course-no-such-server"};
  no_program.insert(no_program.end(), kConformBounds.begin(), kConformBounds.end());
  cases.push_back({"MissingProgramAsServerCmd",
                   Via::kArgs,
                   "",
                   no_program,
                   2,
                   {"exited with status 127", "course-no-such-server"}});
  cases.push_back(
      {"UnknownFlag", Via::kArgs, "", {"conform", "--no-such-flag"}, 2, {"--no-such-flag"}, true});
  cases.push_back({"TargetWithServerCmd",
                   Via::kArgs,
                   "",
                   {"conform", "--target", "127.0.0.1:1", "--server-cmd",
                    "'" + std::string(COURSE_HOSTILE) + "' --mode silent"},
                   2,
                   {"--target excludes --server-cmd"},
                   true});
  return cases;
}

class ConformVerdict : public testing::TestWithParam<HostileCase> {
 protected:
  // Starts every case this run selects, all at once.
  static void SetUpTestSuite() {
    const testing::TestSuite* suite = testing::UnitTest::GetInstance()->current_test_suite();
    for (const HostileCase& c : Cases()) {
      for (int i = 0; i < suite->total_test_count(); ++i) {
        const testing::TestInfo* info = suite->GetTestInfo(i);
        const std::string name = info->name();
        if (info->should_run() && name.substr(name.rfind('/') + 1) == c.name) {
          runs_.emplace(c.name, std::async(std::launch::async, RunCase, c).share());
        }
      }
    }
  }
  static void TearDownTestSuite() { runs_.clear(); }

  static CliRun Result(const HostileCase& c) {
    auto found = runs_.find(c.name);
    return found == runs_.end() ? RunCase(c) : found->second.get();
  }

  static inline std::map<std::string, std::shared_future<CliRun>> runs_;
};

TEST_P(ConformVerdict, IsClearAndBounded) {
  const HostileCase& c = GetParam();
  const CliRun run = Result(c);
  ASSERT_EQ(run.setup_error, "");
  const std::string context = "\n$ " + run.command + "\n" + run.output + "(" + run.how + " after " +
                              std::to_string(run.seconds) + " s)";
  ASSERT_TRUE(run.ended) << "the command line did not end within " << kCliBound.count() << " s"
                         << context;
  EXPECT_EQ(run.how.rfind("exited with status ", 0), 0u) << "the command line crashed" << context;
  EXPECT_GE(run.code, 0) << context;
  EXPECT_LE(run.code, 2) << context;
  EXPECT_EQ(run.code, c.want_code) << context;
  for (const std::string& phrase : c.want_phrases) {
    EXPECT_TRUE(Contains(run.output, phrase))
        << "the output does not say `" << phrase << "`" << context;
  }
  if (!run.address.empty()) {
    EXPECT_TRUE(Contains(run.output, run.address))
        << "the output does not name the address " << run.address << context;
  }
  if (run.code == 2) {
    EXPECT_EQ(run.output.rfind("course: ", 0), 0u)
        << "a run that could not happen says so first, as `course: why`" << context;
  }
  if (c.one_line) {
    EXPECT_EQ(run.output.find('\n'), run.output.size() - 1) << "want exactly one line" << context;
  }
}

INSTANTIATE_TEST_SUITE_P(Hostile, ConformVerdict, testing::ValuesIn(Cases()),
                         [](const testing::TestParamInfo<HostileCase>& param) {
                           return param.param.name;
                         });

}  // namespace
}  // namespace course::harness
