// Lesson 07, deadlines and retries on the client.
//
// Read lessons/07-deadlines-and-retries/README.md first; retry_client.h says
// what each function must do. The tests that grade this file are in
// lessons/07-deadlines-and-retries/retry_client_test.cc:
//   ./course check 07
#include "retry_client.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace course::lesson07 {

using std::chrono::milliseconds;

// Given: the real clock, sleep and random numbers.
Clock Clock::Real() {
  struct Random {
    std::mutex mu;
    std::mt19937_64 engine{std::random_device{}()};
  };
  auto random = std::make_shared<Random>();
  return Clock{
      [] { return std::chrono::steady_clock::now(); },
      [](milliseconds wait) { std::this_thread::sleep_for(wait); },
      [random] {
        std::lock_guard lock(random->mu);
        return std::uniform_real_distribution<double>(0.0, 1.0)(random->engine);
      },
  };
}

bool IsRetryable(grpc::StatusCode code) {
  // TODO(task 3): true for UNAVAILABLE, false for every other code.
  (void)code;
  return false;
}

milliseconds Backoff(const RetryPolicy& policy, int retry, double uniform) {
  // TODO(task 4): capped exponential backoff with full jitter: the cap starts
  //               at initial_backoff, grows by multiplier per retry and never
  //               passes max_backoff (compute it in floating point, so a
  //               large retry cannot overflow); the wait is `uniform` times
  //               the cap, rounded down to whole milliseconds.
  (void)policy;
  (void)retry;
  (void)uniform;
  return milliseconds(0);
}

RetryingUserClient::RetryingUserClient(std::shared_ptr<grpc::Channel> channel, RetryPolicy policy,
                                       Clock clock)
    : stub_(v1::UserService::NewStub(std::move(channel))),
      policy_(policy),
      clock_(std::move(clock)) {}

grpc::Status RetryingUserClient::GetUser(std::int32_t id, v1::User* user) {
  // TODO(task 5): call GetUser until it succeeds or retrying is pointless:
  //               every attempt has its own deadline (attempt_timeout, or
  //               less if the total budget has less left); stop on success,
  //               on a code that is not retryable, at max_attempts, or when
  //               the next backoff would pass the total budget. Use clock_
  //               for all waiting and time arithmetic, never a real sleep.
  (void)id;
  (void)user;
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "TODO(task 5): RetryingUserClient::GetUser");
}

std::string RetryServiceConfig() {
  // TODO(task 6): a JSON service config with one "methodConfig" entry whose
  //               "name" is [{"service": "course.v1.UserService"}] and whose
  //               "retryPolicy" has maxAttempts 5, initialBackoff "0.1s",
  //               maxBackoff "1s", backoffMultiplier 2 and
  //               retryableStatusCodes ["UNAVAILABLE"].
  return "{}";
}

// Given: a channel to `target` that uses RetryServiceConfig().
std::shared_ptr<grpc::Channel> ChannelWithRetryPolicy(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(RetryServiceConfig());
  // On by default since gRPC 1.40; said here so the intent is plain.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

}  // namespace course::lesson07
