// Lesson 07, deadlines and retries on the client.
//
// A GetUser client that gives every call a deadline and retries what is
// worth retrying, plus gRPC's own retry policy for comparison. The tests in
// lessons/07-deadlines-and-retries/retry_client_test.cc run it against small
// faulty servers.
#ifndef LESSONS_07_DEADLINES_AND_RETRIES_RETRY_CLIENT_H_
#define LESSONS_07_DEADLINES_AND_RETRIES_RETRY_CLIENT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "course/v1/course.grpc.pb.h"

namespace course::lesson07 {

struct RetryPolicy {
  // Every attempt counts, the first one included: 5 means 1 call + 4 retries.
  int max_attempts = 5;
  // The cap of the wait before the first retry...
  std::chrono::milliseconds initial_backoff{100};
  // ...grows by this factor before each further retry...
  double multiplier = 2.0;
  // ...and never exceeds this.
  std::chrono::milliseconds max_backoff{2000};
  // The deadline of one attempt.
  std::chrono::milliseconds attempt_timeout{1000};
  // The bound on the whole call: every attempt and every wait together.
  std::chrono::milliseconds total_timeout{10000};
};

// Time and chance as the client sees them. Tests pass fake ones, so that no
// test waits for real and every wait can be checked exactly.
struct Clock {
  std::function<std::chrono::steady_clock::time_point()> now;
  std::function<void(std::chrono::milliseconds)> sleep;
  std::function<double()> uniform;  // a random number in [0, 1]

  // The steady clock, a real sleep, and a thread-safe random generator.
  static Clock Real();
};

// Task 3: whether a call that ended with `code` is worth another attempt as
// it is. This client retries UNAVAILABLE only.
bool IsRetryable(grpc::StatusCode code);

// Task 4: the wait before retry number `retry` (1 for the first retry):
// capped exponential backoff with full jitter,
//   cap  = min(max_backoff, initial_backoff * multiplier^(retry - 1))
//   wait = uniform * cap, rounded down to whole milliseconds
// `uniform` is a number in [0, 1]. Never negative, never above the cap, also
// for a very large `retry`.
std::chrono::milliseconds Backoff(const RetryPolicy& policy, int retry, double uniform);

// Task 5: GetUser with deadlines and retries.
class RetryingUserClient {
 public:
  RetryingUserClient(std::shared_ptr<grpc::Channel> channel, RetryPolicy policy,
                     Clock clock = Clock::Real());

  // Calls GetUser until it succeeds or must stop:
  //   - every attempt has a deadline: attempt_timeout, or less when the
  //     total budget (total_timeout from the start, read on clock.now()) ends
  //     sooner;
  //   - only IsRetryable codes are retried, at most max_attempts attempts;
  //   - before retry n it waits Backoff(policy, n, clock.uniform()) with
  //     clock.sleep, unless that wait would reach the end of the total
  //     budget: then it gives up at once.
  // Returns the status of the last attempt.
  grpc::Status GetUser(std::int32_t id, v1::User* user);

 private:
  std::unique_ptr<v1::UserService::Stub> stub_;
  RetryPolicy policy_;
  Clock clock_;
};

// Task 6: a service config (JSON) that makes gRPC itself retry every
// course.v1.UserService method that ends UNAVAILABLE: at most 5 attempts,
// backoff from 0.1 s, doubling, up to 1 s.
std::string RetryServiceConfig();

// A channel to `target` that uses RetryServiceConfig().
std::shared_ptr<grpc::Channel> ChannelWithRetryPolicy(const std::string& target);

}  // namespace course::lesson07

#endif  // LESSONS_07_DEADLINES_AND_RETRIES_RETRY_CLIENT_H_
