// Lesson 05a: what every client test here needs. The servers a test starts
// listen on 127.0.0.1 with a free port, so tests never collide; each server
// notes the deadline every call arrived with, so a test can tell a client
// that set none.
#ifndef COURSE_LESSON_05A_TEST_SERVERS_H_
#define COURSE_LESSON_05A_TEST_SERVERS_H_

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "clients.h"
#include "core/describe.h"
#include "core/target.h"

namespace course::lesson05a::testing {

using harness::DescribeStatus;
using std::chrono::milliseconds;

// How long a misbehaving server stalls before it gives up by itself. Far
// longer than any deadline a test sets, so a client that waits it out is
// seen, and short enough that such a client does not hang the test.
inline constexpr milliseconds kStall{6000};

// The deadline calls arrive with, as time left when the handler ran.
class DeadlineSeen {
 public:
  void Record(const grpc::CallbackServerContext& context) {
    const auto left = std::chrono::duration_cast<milliseconds>(context.deadline() -
                                                               std::chrono::system_clock::now());
    std::lock_guard lock(mu_);
    if (!first_) first_ = left;
  }
  // The first call's time left; nullopt when no call came.
  std::optional<milliseconds> First() const {
    std::lock_guard lock(mu_);
    return first_;
  }

 private:
  mutable std::mutex mu_;
  std::optional<milliseconds> first_;
};

// Expects that the server saw a call, with a deadline no later than
// `timeout` from when it arrived. The slack is for the grpc-timeout header,
// which carries the time left rounded up to a coarser unit.
inline void ExpectDeadline(const DeadlineSeen& seen, milliseconds timeout) {
  const std::optional<milliseconds> left = seen.First();
  ASSERT_TRUE(left.has_value()) << "the server saw no call";
  EXPECT_LE(left->count(), timeout.count() + 1000)
      << "your call arrived with " << left->count() << " ms left before its deadline, but "
      << "options.timeout was " << timeout.count() << " ms: set the context's deadline "
      << "to now + options.timeout (a call without one may wait for ever)";
}

// One service on 127.0.0.1 with a free port. BDP probing is off on both
// ends of the channels it makes, so HTTP/2's flow-control windows stay at
// their small defaults and a test can fill them.
class LoopbackServer {
 public:
  explicit LoopbackServer(grpc::Service* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.AddChannelArgument(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    builder.RegisterService(service);
    server_ = builder.BuildAndStart();
  }
  ~LoopbackServer() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }
  bool started() const { return server_ != nullptr && port_ != 0; }
  std::shared_ptr<grpc::Channel> Channel() const {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
    return grpc::CreateCustomChannel("127.0.0.1:" + std::to_string(port_),
                                     grpc::InsecureChannelCredentials(), args);
  }

 private:
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// The reference server on 127.0.0.1, holding `seed` users (ids 1..seed).
inline std::unique_ptr<harness::Target> Reference(int seed) {
  auto target = harness::MakeLoopbackReference("", seed);
  EXPECT_TRUE(target.ok()) << target.status().message();
  return target.ok() ? std::move(*target) : nullptr;
}

// A deadline for the tests' own calls (the ones that are not yours).
inline void SetTestDeadline(grpc::ClientContext& context) {
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

inline milliseconds Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
}

}  // namespace course::lesson05a::testing

#endif  // COURSE_LESSON_05A_TEST_SERVERS_H_
