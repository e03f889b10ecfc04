// Lesson 07: the retrying client against faulty servers (tasks 3 to 6).
//
// The servers here are tiny UserServices on 127.0.0.1 (port 0) that fail on
// purpose. The client's time is a fake clock: its sleeps only move the fake
// time forward, so no test waits for a backoff, and every wait can be
// checked to the millisecond.
#include "retry_client.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace {

using course::lesson07::Backoff;
using course::lesson07::ChannelWithRetryPolicy;
using course::lesson07::Clock;
using course::lesson07::IsRetryable;
using course::lesson07::RetryingUserClient;
using course::lesson07::RetryPolicy;
using std::chrono::milliseconds;

// What the faulty server does once its UNAVAILABLE answers are used up.
enum class Then { kAnswer, kInvalidArgument, kHang };

// GetUser fails the first `failures` calls with UNAVAILABLE, then does
// `then`. It records how many calls came and how long each had left before
// its deadline.
class FaultyUsers final : public course::v1::UserService::CallbackService {
 public:
  FaultyUsers(int failures, Then then) : failures_(failures), then_(then) {}

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    course::v1::User* response) override {
    const int call = ++calls_;
    {
      std::lock_guard lock(mu_);
      time_left_.push_back(std::chrono::duration_cast<milliseconds>(
          context->deadline() - std::chrono::system_clock::now()));
    }
    if (call <= failures_ || then_ == Then::kAnswer) {
      grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
      if (call <= failures_) {
        reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "warming up, try again"));
      } else {
        response->set_id(request->id());
        response->set_name("Ada");
        response->set_email("ada@example.org");
        reactor->Finish(grpc::Status::OK);
      }
      return reactor;
    }
    if (then_ == Then::kInvalidArgument) {
      grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "id must be positive"));
      return reactor;
    }
    // kHang: answer nothing until the call ends.
    class Hang final : public grpc::ServerUnaryReactor {
     public:
      void OnCancel() override { Finish(grpc::Status::CANCELLED); }
      void OnDone() override { delete this; }
    };
    return new Hang;
  }

  int calls() const { return calls_; }
  std::vector<milliseconds> time_left() const {
    std::lock_guard lock(mu_);
    return time_left_;
  }

 private:
  const int failures_;
  const Then then_;
  std::atomic<int> calls_{0};
  mutable std::mutex mu_;
  std::vector<milliseconds> time_left_;
};

// A FaultyUsers on 127.0.0.1 with a free port.
class FaultyServer {
 public:
  FaultyServer(int failures, Then then) : service_(failures, then) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~FaultyServer() {
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }
  bool started() const { return server_ != nullptr && port_ != 0; }
  std::string address() const { return "127.0.0.1:" + std::to_string(port_); }
  std::shared_ptr<grpc::Channel> Channel() const {
    return grpc::CreateChannel(address(), grpc::InsecureChannelCredentials());
  }
  const FaultyUsers& service() const { return service_; }

 private:
  FaultyUsers service_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

// Fake time: `now` moves only when the client sleeps; every sleep is kept.
struct FakeTime {
  std::chrono::steady_clock::time_point now{};
  std::vector<milliseconds> sleeps;
  std::mt19937_64 random{20240607};
  bool jitter = false;  // false: uniform() is always 1, so every wait is its cap

  Clock AsClock() {
    return Clock{
        [this] { return now; },
        [this](milliseconds wait) {
          sleeps.push_back(wait);
          now += wait;
        },
        [this] { return jitter ? std::uniform_real_distribution<double>(0.0, 1.0)(random) : 1.0; }};
  }
};

RetryPolicy TestPolicy() {
  RetryPolicy policy;
  policy.max_attempts = 5;
  policy.initial_backoff = milliseconds(100);
  policy.multiplier = 2.0;
  policy.max_backoff = milliseconds(1000);
  policy.attempt_timeout = milliseconds(5000);
  policy.total_timeout = milliseconds(60000);
  return policy;
}

std::string Waits(const std::vector<milliseconds>& waits) {
  std::string text = "[";
  for (const auto& wait : waits)
    text += (text.size() > 1 ? ", " : "") + std::to_string(wait.count());
  return text + "] ms";
}

// ---- Task 3 ----

TEST(Retryable, OnlyUnavailableIsRetried) {
  EXPECT_TRUE(IsRetryable(grpc::StatusCode::UNAVAILABLE))
      << "UNAVAILABLE means: the same request may work in a moment";
  for (int code = 0; code <= 16; ++code) {
    if (code == grpc::StatusCode::UNAVAILABLE) continue;
    EXPECT_FALSE(IsRetryable(static_cast<grpc::StatusCode>(code)))
        << "code " << code << " is not retryable as is: the request is wrong, or it may "
        << "already have taken effect";
  }
}

// ---- Task 4 ----

TEST(Backoff, GrowsByTheMultiplierUpToTheCap) {
  const RetryPolicy policy = TestPolicy();  // 100 ms, x2, at most 1000 ms
  const long want[] = {100, 200, 400, 800, 1000, 1000, 1000};
  for (int retry = 1; retry <= 7; ++retry) {
    EXPECT_EQ(Backoff(policy, retry, 1.0).count(), want[retry - 1])
        << "with uniform = 1 the wait before retry " << retry << " is its cap, min(1000, 100 * 2^"
        << retry - 1 << ")";
  }
}

TEST(Backoff, FullJitterScalesTheCap) {
  const RetryPolicy policy = TestPolicy();
  EXPECT_EQ(Backoff(policy, 3, 0.0).count(), 0) << "uniform = 0 waits nothing";
  EXPECT_EQ(Backoff(policy, 3, 0.5).count(), 200) << "half of retry 3's cap of 400 ms";
  EXPECT_EQ(Backoff(policy, 9, 0.25).count(), 250) << "a quarter of the 1000 ms cap";
}

TEST(Backoff, StaysUnderTheCapForAnyRetry) {
  const RetryPolicy policy = TestPolicy();
  for (int retry : {20, 64, 1000, 1 << 30}) {
    const milliseconds wait = Backoff(policy, retry, 1.0);
    EXPECT_GE(wait.count(), 0) << "retry " << retry << ": the exponent overflowed";
    EXPECT_LE(wait.count(), 1000) << "retry " << retry << ": above max_backoff";
  }
}

// ---- Task 5 ----

TEST(RetryingClient, RetriesUnavailableUntilItSucceeds) {
  FaultyServer server(3, Then::kAnswer);
  ASSERT_TRUE(server.started());
  FakeTime time;
  RetryingUserClient client(server.Channel(), TestPolicy(), time.AsClock());
  course::v1::User user;
  grpc::Status status = client.GetUser(7, &user);
  EXPECT_TRUE(status.ok()) << "the 4th attempt succeeds, but got " << status.error_code() << ": "
                           << status.error_message();
  EXPECT_EQ(server.service().calls(), 4) << "3 failures + 1 success";
  EXPECT_EQ(user.id(), 7);
  EXPECT_EQ(time.sleeps,
            (std::vector<milliseconds>{milliseconds(100), milliseconds(200), milliseconds(400)}))
      << "the waits were " << Waits(time.sleeps)
      << "; wait with clock_.sleep(Backoff(policy_, attempt, clock_.uniform()))";
}

TEST(RetryingClient, StopsAfterMaxAttempts) {
  FaultyServer server(1000, Then::kAnswer);
  ASSERT_TRUE(server.started());
  FakeTime time;
  RetryPolicy policy = TestPolicy();
  policy.max_attempts = 4;
  RetryingUserClient client(server.Channel(), policy, time.AsClock());
  course::v1::User user;
  grpc::Status status = client.GetUser(7, &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
      << "return the last attempt's status; got " << status.error_message();
  EXPECT_EQ(server.service().calls(), 4) << "max_attempts = 4 counts the first call too";
  EXPECT_EQ(time.sleeps.size(), 3u) << "no wait after the last attempt: " << Waits(time.sleeps);
}

TEST(RetryingClient, NeverRetriesInvalidArgument) {
  FaultyServer server(0, Then::kInvalidArgument);
  ASSERT_TRUE(server.started());
  FakeTime time;
  RetryingUserClient client(server.Channel(), TestPolicy(), time.AsClock());
  course::v1::User user;
  grpc::Status status = client.GetUser(-1, &user);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(server.service().calls(), 1) << "the same bad request fails again: do not retry it";
  EXPECT_TRUE(time.sleeps.empty()) << "waited " << Waits(time.sleeps);
}

TEST(RetryingClient, JitteredWaitsStayUnderTheirGrowingCaps) {
  FaultyServer server(1000, Then::kAnswer);
  ASSERT_TRUE(server.started());
  FakeTime time;
  time.jitter = true;
  RetryPolicy policy = TestPolicy();
  policy.max_attempts = 9;
  RetryingUserClient client(server.Channel(), policy, time.AsClock());
  course::v1::User user;
  client.GetUser(7, &user);
  ASSERT_EQ(time.sleeps.size(), 8u) << "9 attempts, 8 waits: " << Waits(time.sleeps);
  for (std::size_t i = 0; i < time.sleeps.size(); ++i) {
    const long cap = std::min(1000L, 100L << i);
    EXPECT_LE(time.sleeps[i].count(), cap)
        << "wait " << i + 1 << " is above its cap; waits " << Waits(time.sleeps);
  }
  // Full jitter draws each wait afresh from [0, cap]: with this seed they are
  // not simply the caps.
  EXPECT_LT(time.sleeps[7].count(), 1000) << "no jitter? waits " << Waits(time.sleeps);
}

TEST(RetryingClient, GivesUpWhenTheNextWaitWouldPassTheTotalBudget) {
  FaultyServer server(1000, Then::kAnswer);
  ASSERT_TRUE(server.started());
  FakeTime time;
  RetryPolicy policy = TestPolicy();
  policy.max_attempts = 100;
  policy.total_timeout = milliseconds(5000);
  RetryingUserClient client(server.Channel(), policy, time.AsClock());
  course::v1::User user;
  grpc::Status status = client.GetUser(7, &user);
  // Waits 100, 200, 400, 800, 1000, 1000, 1000 end at 4500 ms; one more
  // would end at 5500 ms, past the 5000 ms budget.
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(server.service().calls(), 8)
      << "waits " << Waits(time.sleeps) << "; measure the budget with clock_.now()";
  const auto waited =
      std::chrono::duration_cast<milliseconds>(time.now - std::chrono::steady_clock::time_point{});
  EXPECT_LE(waited.count(), 5000) << "the client waited past its total budget: "
                                  << Waits(time.sleeps);
}

TEST(RetryingClient, EveryAttemptCarriesADeadline) {
  FaultyServer server(2, Then::kAnswer);
  ASSERT_TRUE(server.started());
  FakeTime time;
  RetryPolicy policy = TestPolicy();
  policy.attempt_timeout = milliseconds(2000);
  RetryingUserClient client(server.Channel(), policy, time.AsClock());
  course::v1::User user;
  EXPECT_TRUE(client.GetUser(7, &user).ok());
  const std::vector<milliseconds> left = server.service().time_left();
  ASSERT_EQ(left.size(), 3u);
  for (std::size_t i = 0; i < left.size(); ++i) {
    EXPECT_GT(left[i].count(), 0) << "attempt " << i + 1 << " arrived with no time left";
    EXPECT_LE(left[i].count(), 2250)
        << "attempt " << i + 1 << " had " << left[i].count()
        << " ms left: set a deadline of attempt_timeout on every attempt's ClientContext";
  }
}

TEST(RetryingClient, AnAttemptNeverOutlivesTheTotalBudget) {
  FaultyServer server(0, Then::kHang);
  ASSERT_TRUE(server.started());
  FakeTime time;
  RetryPolicy policy = TestPolicy();
  policy.attempt_timeout = milliseconds(20000);
  policy.total_timeout = milliseconds(500);
  RetryingUserClient client(server.Channel(), policy, time.AsClock());
  course::v1::User user;
  const auto start = std::chrono::steady_clock::now();
  grpc::Status status = client.GetUser(7, &user);
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();
  EXPECT_LT(took.count(), 5000)
      << "a server that never answers held the call " << took.count()
      << " ms: the attempt's deadline is min(attempt_timeout, what is left of total_timeout)";
  EXPECT_EQ(server.service().calls(), 1) << "DEADLINE_EXCEEDED is not retried";
}

// ---- Task 6 ----

// One plain GetUser of id 7 through a channel with the lesson's retry
// service config; gRPC itself does any retrying.
grpc::Status GetUserWithServiceConfig(const FaultyServer& server) {
  auto stub = course::v1::UserService::NewStub(ChannelWithRetryPolicy(server.address()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  course::v1::GetUserRequest request;
  request.set_id(7);
  course::v1::User user;
  return stub->GetUser(&context, request, &user);
}

TEST(ServiceConfig, GrpcRetriesUnavailableByItself) {
  FaultyServer server(3, Then::kAnswer);
  ASSERT_TRUE(server.started());
  grpc::Status status = GetUserWithServiceConfig(server);
  EXPECT_TRUE(status.ok()) << "one plain call, 3 UNAVAILABLE answers: gRPC should retry them "
                           << "by itself, but the call ended " << status.error_code() << ": "
                           << status.error_message();
  EXPECT_EQ(server.service().calls(), 4) << "RetryServiceConfig() needs a retryPolicy for "
                                            "course.v1.UserService";
}

TEST(ServiceConfig, GrpcStopsAfterFiveAttempts) {
  FaultyServer server(1000, Then::kAnswer);
  ASSERT_TRUE(server.started());
  grpc::Status status = GetUserWithServiceConfig(server);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_EQ(server.service().calls(), 5) << "maxAttempts 5 (the first call included)";
}

TEST(ServiceConfig, GrpcDoesNotRetryInvalidArgument) {
  FaultyServer server(0, Then::kInvalidArgument);
  ASSERT_TRUE(server.started());
  grpc::Status status = GetUserWithServiceConfig(server);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << status.error_message();
  EXPECT_EQ(server.service().calls(), 1) << "retryableStatusCodes should be [\"UNAVAILABLE\"] only";
}

}  // namespace
