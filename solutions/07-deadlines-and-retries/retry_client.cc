// Lesson 07, deadlines and retries on the client: solved.
#include "retry_client.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace course::lesson07 {

using std::chrono::milliseconds;

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
  // UNAVAILABLE promises that the same request may work in a moment. The
  // other codes either say the request is wrong (retrying cannot help) or
  // that it may already have had an effect (DEADLINE_EXCEEDED, UNKNOWN,
  // INTERNAL): only the caller knows whether repeating it is safe.
  return code == grpc::StatusCode::UNAVAILABLE;
}

milliseconds Backoff(const RetryPolicy& policy, int retry, double uniform) {
  // In double, so a large `retry` becomes a huge number (or infinity), not an
  // overflowed integer; the cap then brings it back.
  const double grown = static_cast<double>(policy.initial_backoff.count()) *
                       std::pow(policy.multiplier, std::max(0, retry - 1));
  const double cap = std::min(grown, static_cast<double>(policy.max_backoff.count()));
  // Full jitter: anywhere between 0 and the cap, so clients that failed
  // together do not come back together.
  const double wait = std::clamp(uniform, 0.0, 1.0) * cap;
  return milliseconds(static_cast<milliseconds::rep>(std::floor(wait)));
}

RetryingUserClient::RetryingUserClient(std::shared_ptr<grpc::Channel> channel, RetryPolicy policy,
                                       Clock clock)
    : stub_(v1::UserService::NewStub(std::move(channel))),
      policy_(policy),
      clock_(std::move(clock)) {}

grpc::Status RetryingUserClient::GetUser(std::int32_t id, v1::User* user) {
  const auto give_up_at = clock_.now() + policy_.total_timeout;
  v1::GetUserRequest request;
  request.set_id(id);
  for (int attempt = 1;; ++attempt) {
    const auto left = std::chrono::duration_cast<milliseconds>(give_up_at - clock_.now());
    if (left <= milliseconds(0)) {
      return grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "no time left for an attempt");
    }
    // A fresh context per attempt: a ClientContext serves exactly one call.
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() +
                         std::min(policy_.attempt_timeout, left));
    grpc::Status status = stub_->GetUser(&context, request, user);
    if (status.ok() || !IsRetryable(status.error_code()) || attempt >= policy_.max_attempts) {
      return status;
    }
    const milliseconds wait = Backoff(policy_, attempt, clock_.uniform());
    // Waiting past the end of the budget would only end in a failure later.
    if (clock_.now() + wait >= give_up_at) return status;
    clock_.sleep(wait);
  }
}

std::string RetryServiceConfig() {
  // gRPC retries by itself, below the stub, when the service config has a
  // retryPolicy. maxAttempts counts the first call too (gRPC caps it at 5).
  return R"json({
    "methodConfig": [{
      "name": [{"service": "course.v1.UserService"}],
      "retryPolicy": {
        "maxAttempts": 5,
        "initialBackoff": "0.1s",
        "maxBackoff": "1s",
        "backoffMultiplier": 2,
        "retryableStatusCodes": ["UNAVAILABLE"]
      }
    }]
  })json";
}

std::shared_ptr<grpc::Channel> ChannelWithRetryPolicy(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(RetryServiceConfig());
  // On by default since gRPC 1.40; said here so the intent is plain.
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

}  // namespace course::lesson07
