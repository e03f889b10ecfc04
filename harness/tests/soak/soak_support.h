// What the soak tests share: the reference server as a child process (so
// that its memory can be read apart from the client's), its RSS, the
// sizes of a run, and calls with deadlines.
//
// Sizes come from the environment, so that ctest runs bounded sizes and
// `./course soak` the full ones:
//   COURSE_SOAK_SECONDS        mixed load, in seconds (ctest: 16)
//   COURSE_SOAK_STREAMS        concurrent ListUsers streams (1,000)
//   COURSE_SOAK_ROOM_MESSAGES  chat messages per room, 10 rooms x 10 clients
//                              (ctest: 200; the full size: 1,000)
#ifndef COURSE_HARNESS_TESTS_SOAK_SOAK_SUPPORT_H_
#define COURSE_HARNESS_TESTS_SOAK_SOAK_SUPPORT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/child_process.h"

namespace course::soak {

inline constexpr char kToken[] = "soak-token";

// The reference server, started with --quiet --token kToken --seed `seed`.
class ServerProcess {
 public:
  // Fails the test (ADD_FAILURE) and returns null when it cannot start.
  static std::unique_ptr<ServerProcess> Start(int seed);

  const std::string& address() const { return address_; }
  int pid() const { return process_->pid(); }
  // VmRSS of the server, in KiB; 0 when /proc cannot tell.
  std::int64_t RssKib() const;
  // A channel of its own (its own connection), for this server.
  std::shared_ptr<grpc::Channel> NewChannel(int index = 0) const;
  // SIGTERM, and the server's exit code (-1 when it did not exit in time).
  int Stop();

 private:
  std::unique_ptr<harness::ChildProcess> process_;
  std::string address_;
};

// An integer from the environment, or `fallback`.
int SizeFromEnv(const char* name, int fallback);

// A context with a deadline `within` from now and, when asked, the token.
std::unique_ptr<grpc::ClientContext> Call(std::chrono::milliseconds within, bool token = false);

}  // namespace course::soak

#endif  // COURSE_HARNESS_TESTS_SOAK_SOAK_SUPPORT_H_
