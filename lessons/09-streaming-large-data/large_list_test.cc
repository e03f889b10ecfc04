// Lesson 09's own tests: a list of 300,000 users, read at full speed and by
// slow readers, from the lesson's server running as a child process. The
// server's memory is read from /proc, as an operator would watch it.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/child_process.h"
#include "course/v1/course.grpc.pb.h"
#include "kit/lesson_server.h"

namespace {

using course::harness::ChildProcess;
using course::v1::ListUsersRequest;
using course::v1::User;
using course::v1::UserService;

constexpr int kUsers = 300000;
// How much the server may grow while three readers stall and one reads the
// whole list. Streaming needs a few MiB at most; one copy of the list is
// about 50 MiB, so holding a copy per call blows through this at once.
constexpr std::int64_t kMaxGrowthBytes = std::int64_t{64} << 20;
constexpr int kSlowReaders = 3;
// A slow reader takes one user every this long: a few users per second.
constexpr std::chrono::milliseconds kSlowPace{250};
// Generous, for a shared 2-core machine: streaming the list takes seconds.
constexpr std::chrono::seconds kFullReadDeadline{45};

// VmRSS of a process in bytes; nullopt when it cannot be read.
std::optional<std::int64_t> ResidentBytes(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6)) * 1024;
  }
  return std::nullopt;
}

std::string MiB(std::int64_t bytes) {
  return absl::StrCat(bytes / (1024 * 1024), ".", (bytes % (1024 * 1024)) * 10 / (1024 * 1024),
                      " MiB");
}

// Each reader gets its own connection, so a stalled stream cannot hold up
// the others through the connection's shared flow-control window.
std::unique_ptr<UserService::Stub> NewStub(const std::string& address) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return UserService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
}

struct FullRead {
  grpc::Status status;
  int users = 0;
  std::string order_problem;  // empty when every id was one more than the last
  double seconds = 0;
};

// Reads the whole list as fast as the client can, checking the order as it
// goes (keeping 300,000 users here would only blur the server's numbers).
FullRead ReadEverything(const std::string& address) {
  auto stub = NewStub(address);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + kFullReadDeadline);
  const auto start = std::chrono::steady_clock::now();
  auto reader = stub->ListUsers(&context, ListUsersRequest());
  FullRead read;
  User user;
  std::int32_t last = 0;
  while (reader->Read(&user)) {
    if (read.order_problem.empty() && user.id() != last + 1) {
      read.order_problem = absl::StrCat("user ", user.id(), " came right after user ", last);
    }
    last = user.id();
    ++read.users;
  }
  read.status = reader->Finish();
  read.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return read;
}

// A consumer that reads a few users per second on its own thread, until
// stopped. It never blocks the test: Read returns as soon as a user is there.
class SlowReader {
 public:
  explicit SlowReader(const std::string& address) : stub_(NewStub(address)) {
    context_.set_deadline(std::chrono::system_clock::now() + 2 * kFullReadDeadline);
    reader_ = stub_->ListUsers(&context_, ListUsersRequest());
    thread_ = std::thread([this] { Run(); });
  }
  ~SlowReader() { Stop(); }

  // Cancels the call and waits for the thread.
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    context_.TryCancel();
    thread_.join();
  }

  // Blocks until this reader has read `count` users or its stream ended.
  bool WaitForUsers(int count) {
    std::unique_lock lock(mu_);
    progress_.wait(lock, [&] { return read_ >= count || ended_; });
    return read_ >= count;
  }
  int read() {
    std::lock_guard lock(mu_);
    return read_;
  }
  // How the stream ended ("OK" while it goes on).
  std::string Outcome() {
    std::lock_guard lock(mu_);
    return ended_ ? absl::StrCat("code ", status_.error_code(), " (", status_.error_message(), ")")
                  : "OK";
  }

 private:
  void Run() {
    User user;
    while (!stop_ && reader_->Read(&user)) {
      {
        std::lock_guard lock(mu_);
        ++read_;
      }
      progress_.notify_all();
      std::this_thread::sleep_for(kSlowPace);  // the slowness under test
    }
    // After a cancel (Stop), Finish returns at once.
    grpc::Status status = reader_->Finish();
    {
      std::lock_guard lock(mu_);
      status_ = status;
      ended_ = true;
    }
    progress_.notify_all();
  }

  std::unique_ptr<UserService::Stub> stub_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReader<User>> reader_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable progress_;
  int read_ = 0;
  bool ended_ = false;
  grpc::Status status_;
};

// Samples a process's RSS until stopped and keeps the largest value.
class PeakSampler {
 public:
  explicit PeakSampler(pid_t pid) : pid_(pid), thread_([this] { Run(); }) {}
  ~PeakSampler() { Stop(); }
  std::int64_t Stop() {
    if (thread_.joinable()) {
      stop_ = true;
      thread_.join();
    }
    return peak_;
  }

 private:
  void Run() {
    while (!stop_) {
      if (auto rss = ResidentBytes(pid_)) peak_ = std::max<std::int64_t>(peak_, *rss);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a sampling period
    }
  }
  pid_t pid_;
  std::atomic<bool> stop_{false};
  std::int64_t peak_ = 0;
  std::thread thread_;
};

// One server with 300,000 users for the whole suite: seeding takes a while.
class LargeList : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto child = ChildProcess::Spawn(
        {LESSON_SERVER, "--seed", std::to_string(kUsers), "--listen", "127.0.0.1:0"});
    if (!child.ok()) {
      problem_ = absl::StrCat("cannot start ", LESSON_SERVER, ": ", child.status().message());
      return;
    }
    std::optional<std::string> line = (*child)->ReadLine(std::chrono::seconds(60));
    const std::string prefix = "listening on ";
    if (!line || line->rfind(prefix, 0) != 0) {
      problem_ = absl::StrCat("the lesson's server did not print `listening on HOST:PORT`",
                              " within 60 s; its stderr:\n", (*child)->StderrTail());
      return;
    }
    address_ = line->substr(prefix.size());
    server_ = child->release();
  }
  static void TearDownTestSuite() {
    delete server_;  // kills the server's process group
    server_ = nullptr;
  }
  void SetUp() override {
    if (!problem_.empty()) GTEST_FAIL() << problem_;
  }

  static inline ChildProcess* server_ = nullptr;
  static inline std::string address_;
  static inline std::string problem_;
};

TEST_F(LargeList, FullSpeedReaderGetsEveryUserInOrder) {
  const FullRead read = ReadEverything(address_);
  ASSERT_TRUE(read.status.ok())
      << "ListUsers of all " << kUsers << " users ended with code " << read.status.error_code()
      << " (" << read.status.error_message() << ") after " << read.users << " users and "
      << read.seconds << " s"
      << (read.status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
              ? (read.users == 0
                     ? "; not even the first user arrived: is a write started at all, and is the "
                       "first write free of set_buffer_hint()? (a hinted first write waits for a "
                       "flush that never comes)"
                     : "; the deadline is generous, so the server is far too slow: one store "
                       "lookup and one write per user should take a few seconds in all")
              : "");
  EXPECT_EQ(read.order_problem, "")
      << "users must come in ascending id order, each once (the seeded ids are 1.." << kUsers
      << ")";
  EXPECT_EQ(read.users, kUsers) << "a full-speed reader should get every user of the list";
}

TEST_F(LargeList, SlowReadersKeepServerMemoryBounded) {
  // Warm up (threads, first connection), then take the baseline.
  {
    auto stub = NewStub(address_);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    ListUsersRequest request;
    request.set_page_size(10);
    auto reader = stub->ListUsers(&context, request);
    User user;
    while (reader->Read(&user)) {
    }
    const grpc::Status status = reader->Finish();
    ASSERT_TRUE(status.ok())
        << "ListUsers with page_size 10 ended with code " << status.error_code() << " ("
        << status.error_message() << ")"
        << (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED
                ? "; a call that hangs often has set_buffer_hint() on its first write"
                : "");
  }
  const std::optional<std::int64_t> baseline = ResidentBytes(server_->pid());
  ASSERT_TRUE(baseline.has_value()) << "cannot read /proc/" << server_->pid() << "/status";
  PeakSampler sampler(server_->pid());

  std::vector<std::unique_ptr<SlowReader>> slow;
  for (int i = 0; i < kSlowReaders; ++i) slow.push_back(std::make_unique<SlowReader>(address_));
  for (auto& reader : slow) {
    ASSERT_TRUE(reader->WaitForUsers(1))
        << "a slow reader's ListUsers ended before its first user with " << reader->Outcome();
  }

  // While they dawdle, somebody else reads the whole list at full speed.
  const FullRead fast = ReadEverything(address_);
  ASSERT_TRUE(fast.status.ok()) << "while " << kSlowReaders
                                << " slow readers held their streams open, a full-speed "
                                   "ListUsers ended with code "
                                << fast.status.error_code() << " (" << fast.status.error_message()
                                << ") after " << fast.users << " users";
  EXPECT_EQ(fast.users, kUsers);

  // The slow readers are still going, a few users further on.
  for (auto& reader : slow) {
    const int target = reader->read() + 3;
    EXPECT_TRUE(reader->WaitForUsers(target))
        << "a slow reader's stream ended after " << reader->read() << " users with "
        << reader->Outcome() << "; a slow consumer must be waited for, not dropped";
  }
  const std::int64_t peak = sampler.Stop();
  for (auto& reader : slow) reader->Stop();

  const std::int64_t growth = peak - *baseline;
  RecordProperty("rss_growth_bytes", std::to_string(growth));
  EXPECT_LT(growth, kMaxGrowthBytes)
      << "the server grew from " << MiB(*baseline) << " to a peak of " << MiB(peak) << " (+"
      << MiB(growth) << ") while " << kSlowReaders << " slow readers stalled and one read all "
      << kUsers << " users; the limit is +" << MiB(kMaxGrowthBytes)
      << ". Do not collect the list (or its messages) before writing: take one user at a time "
         "with store().FirstAfter(cursor) and start the next write only in OnWriteDone, so "
         "HTTP/2 flow control holds the producer back when a reader is slow";
}

}  // namespace
