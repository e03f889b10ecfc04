#include "bench/stack_server.h"

#include <unistd.h>

#include <fstream>
#include <mutex>
#include <sstream>
#include <vector>

#include "absl/status/status.h"

namespace course::bench {
namespace {

// The server program sits next to the benchmark program in the build tree.
std::string ServerProgram() {
  std::vector<char> path(4096);
  const ssize_t n = readlink("/proc/self/exe", path.data(), path.size() - 1);
  std::string self = n > 0 ? std::string(path.data(), static_cast<std::size_t>(n)) : "";
  return self.substr(0, self.rfind('/') + 1) + "course-bench-stack-server";
}

// "listening grpc=A rows=B rest=P" -> its three values.
bool ParseListening(const std::string& line, std::string* grpc, std::string* rows, int* rest) {
  std::istringstream in(line);
  std::string word, a, b, c;
  if (!(in >> word >> a >> b >> c) || word != "listening") return false;
  if (a.rfind("grpc=", 0) != 0 || b.rfind("rows=", 0) != 0 || c.rfind("rest=", 0) != 0) {
    return false;
  }
  *grpc = a.substr(5);
  *rows = b.substr(5);
  *rest = std::atoi(c.c_str() + 5);
  return *rest > 0;
}

}  // namespace

absl::StatusOr<std::shared_ptr<StackServer>> StackServer::ForConfig(const StackConfig& config) {
  static std::mutex mu;
  static std::shared_ptr<StackServer> current;
  std::lock_guard lock(mu);
  if (current != nullptr && current->config_ == config && !current->child_->Exited()) {
    return current;
  }
  current.reset();  // one server at a time, so that idle ones cost nothing
  absl::StatusOr<std::shared_ptr<StackServer>> server = Spawn(config);
  if (server.ok()) current = *server;
  return server;
}

absl::StatusOr<std::shared_ptr<StackServer>> StackServer::Spawn(const StackConfig& config) {
  std::vector<std::string> argv = {ServerProgram(), "--rest-threads",
                                   std::to_string(config.rest_threads)};
  if (config.batch_writes) argv.push_back("--batch-writes");
  auto child = harness::ChildProcess::Spawn(argv);
  if (!child.ok()) return child.status();
  std::shared_ptr<StackServer> server(new StackServer());
  server->child_ = std::move(*child);
  server->config_ = config;
  std::optional<std::string> line = server->child_->ReadLine(std::chrono::seconds(20));
  if (!line ||
      !ParseListening(*line, &server->grpc_address_, &server->rows_address_, &server->rest_port_)) {
    return absl::UnavailableError(
        argv[0] + " did not start: " + (line ? *line : server->child_->StderrTail(5)));
  }
  return server;
}

double StackServer::CpuSeconds() const {
  std::ifstream in("/proc/" + std::to_string(child_->pid()) + "/stat");
  std::string text;
  std::getline(in, text);  // one line
  // Fields after the command name (which may hold spaces, so find its ')'):
  // state is field 3; utime and stime, in clock ticks, are fields 14 and 15.
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(text.substr(close + 2));
  std::string skip;
  for (int field = 3; field < 14; ++field) fields >> skip;
  long long utime = 0;
  long long stime = 0;
  if (!(fields >> utime >> stime)) return -1;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

}  // namespace course::bench
