// The benchmark's side of course-bench-stack-server: starts it as a child
// process, learns its addresses, and reads its CPU time from /proc, so that
// the server's CPU per call is counted apart from the client's.
#ifndef COURSE_HARNESS_BENCH_STACK_SERVER_H_
#define COURSE_HARNESS_BENCH_STACK_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/child_process.h"

namespace course::bench {

struct StackConfig {
  int rest_threads = 8;       // the REST server's worker threads
  bool batch_writes = false;  // ListUsers lets gRPC batch its writes

  bool operator==(const StackConfig& other) const {
    return rest_threads == other.rest_threads && batch_writes == other.batch_writes;
  }
};

class StackServer {
 public:
  // The running server for `config`. Google Benchmark runs a benchmark
  // several times (to size its iterations) and on many threads; they all
  // share one child, which is replaced only when a benchmark asks for
  // another configuration.
  static absl::StatusOr<std::shared_ptr<StackServer>> ForConfig(const StackConfig& config);

  const std::string& grpc_address() const { return grpc_address_; }  // UserService
  const std::string& rows_address() const { return rows_address_; }  // RowService
  int rest_port() const { return rest_port_; }
  // The child's user plus system CPU time so far (all its threads), in
  // seconds; -1 when /proc cannot tell.
  double CpuSeconds() const;

 private:
  StackServer() = default;
  static absl::StatusOr<std::shared_ptr<StackServer>> Spawn(const StackConfig& config);

  std::unique_ptr<harness::ChildProcess> child_;
  StackConfig config_;
  std::string grpc_address_;
  std::string rows_address_;
  int rest_port_ = 0;
};

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_STACK_SERVER_H_
