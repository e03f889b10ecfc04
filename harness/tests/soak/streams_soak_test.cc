// Many calls at once on the reference: 1,000 concurrent ListUsers streams,
// and CreateUsers batches cancelled by their clients at random moments while
// others run (C4: a cancelled batch is stored whole or not at all).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "course/v1/course.grpc.pb.h"
#include "tests/soak/soak_support.h"

namespace course::soak {
namespace {

using std::chrono::milliseconds;

// One ListUsers stream on the callback API; counts users and checks order.
class ListStream final : public grpc::ClientReadReactor<v1::User> {
 public:
  ListStream(v1::UserService::Stub& stub, const v1::ListUsersRequest& request,
             std::atomic<int>& open, std::atomic<int>& most_open)
      : open_(open), most_open_(most_open) {
    context_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(120));
    context_.set_wait_for_ready(true);  // as Call() does: a failed connect is retried
    stub.async()->ListUsers(&context_, &request, this);
    StartRead(&user_);
    StartCall();
  }
  void OnReadInitialMetadataDone(bool /*ok*/) override {}
  void OnReadDone(bool ok) override {
    if (!ok) return;
    if (users_ == 0) {
      const int now = ++open_;
      int seen = most_open_.load();
      while (now > seen && !most_open_.compare_exchange_weak(seen, now)) {
      }
    }
    in_order_ = in_order_ && user_.id() > last_id_;
    last_id_ = user_.id();
    ++users_;
    StartRead(&user_);
  }
  void OnDone(const grpc::Status& status) override {
    if (users_ > 0) --open_;
    std::lock_guard lock(mu_);
    status_ = status;
    done_ = true;
    cv_.notify_all();
  }
  // Waits for the end of the call; false when it did not end in time.
  bool Await(milliseconds within) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, within, [&] { return done_; });
  }
  const grpc::Status& status() const { return status_; }
  int users() const { return users_; }
  bool in_order() const { return in_order_; }

 private:
  grpc::ClientContext context_;
  v1::User user_;
  std::atomic<int>& open_;
  std::atomic<int>& most_open_;
  int users_ = 0;
  int last_id_ = 0;
  bool in_order_ = true;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  grpc::Status status_;
};

TEST(Soak, AThousandConcurrentStreamsAllFinishWhole) {
  const int streams = SizeFromEnv("COURSE_SOAK_STREAMS", 1000);
  constexpr int kUsers = 5, kChannels = 4;
  auto server = ServerProcess::Start(kUsers);
  ASSERT_NE(server, nullptr);
  const std::int64_t rss_before = server->RssKib();
  std::vector<std::unique_ptr<v1::UserService::Stub>> stubs;
  for (int c = 0; c < kChannels; ++c)
    stubs.push_back(v1::UserService::NewStub(server->NewChannel(c)));
  // 5 users, 200 ms apart: each stream lasts about 800 ms, long enough for
  // all of them to be open at once.
  v1::ListUsersRequest request;
  request.set_interval_ms(200);
  std::atomic<int> open{0}, most_open{0};
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::unique_ptr<ListStream>> calls;
  for (int i = 0; i < streams; ++i) {
    calls.push_back(std::make_unique<ListStream>(*stubs[i % kChannels], request, open, most_open));
  }
  int whole = 0;
  for (auto& call : calls) {
    ASSERT_TRUE(call->Await(std::chrono::seconds(150))) << "a stream never ended";
    EXPECT_TRUE(call->status().ok()) << call->status().error_message();
    EXPECT_TRUE(call->in_order());
    if (call->status().ok() && call->users() == kUsers) ++whole;
  }
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  const std::int64_t rss_after = server->RssKib();
  std::cout << streams << " concurrent ListUsers streams: " << whole << " whole, at most "
            << most_open.load() << " open at once, " << took.count() << " ms; server RSS "
            << rss_before << " -> " << rss_after << " KiB\n";
  RecordProperty("most_open", most_open.load());
  EXPECT_EQ(whole, streams);
  // Every stream was open at once, give or take the ones that had not
  // started when the first ended (a loaded machine): most of them.
  EXPECT_GE(most_open.load(), streams / 2);
  EXPECT_EQ(server->Stop(), 0);
}

// A CreateUsers batch of `size` fresh users, cancelled by its client after
// `cancel_after` writes. `size`: after WritesDone, from another thread while
// Finish waits (racing the commit); `size + 1`: not cancelled at all.
struct CancelledBatch {
  std::vector<std::string> emails;
  grpc::Status status;
};

void SendAndCancel(v1::UserService::Stub& stub, CancelledBatch& batch, int size, int cancel_after) {
  auto context = Call(milliseconds(30000), true);
  v1::CreateUsersResponse response;
  auto writer = stub.CreateUsers(context.get(), &response);
  for (int i = 0; i < size; ++i) {
    if (i == cancel_after) context->TryCancel();
    v1::CreateUserRequest request;
    request.set_name("Soak");
    request.set_email(batch.emails[i]);
    if (!writer->Write(request)) break;
  }
  writer->WritesDone();
  std::thread racing;
  if (cancel_after == size) racing = std::thread([&] { context->TryCancel(); });
  batch.status = writer->Finish();
  if (racing.joinable()) racing.join();
}

TEST(Soak, CancelledCreateUsersLeaveAllOrNothing) {
  constexpr int kThreads = 8, kBatchesEach = 40, kSize = 6;
  auto server = ServerProcess::Start(0);
  ASSERT_NE(server, nullptr);
  auto stub = v1::UserService::NewStub(server->NewChannel());
  std::vector<CancelledBatch> batches(kThreads * kBatchesEach);
  for (std::size_t b = 0; b < batches.size(); ++b) {
    for (int i = 0; i < kSize; ++i) {
      batches[b].emails.push_back("b" + std::to_string(b) + "u" + std::to_string(i) +
                                  "@soak.example");
    }
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(t) + 1);
      for (int b = 0; b < kBatchesEach; ++b) {
        // 0..kSize - 1: cancel before that write; kSize: race the commit;
        // kSize + 1: no cancel.
        const int cancel_after = static_cast<int>(random() % (kSize + 2));
        SendAndCancel(*stub, batches[t * kBatchesEach + b], kSize, cancel_after);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  // Which emails are stored: every user, read back with one ListUsers.
  std::set<std::string> stored;
  auto context = Call(milliseconds(30000));
  v1::ListUsersRequest all;
  auto reader = stub->ListUsers(context.get(), all);
  v1::User user;
  while (reader->Read(&user)) stored.insert(user.email());
  ASSERT_TRUE(reader->Finish().ok());
  int kept = 0, dropped = 0, ok = 0;
  for (const CancelledBatch& batch : batches) {
    int present = 0;
    for (const std::string& email : batch.emails) present += stored.count(email) > 0 ? 1 : 0;
    EXPECT_TRUE(present == 0 || present == kSize)
        << present << " of " << kSize << " users of a cancelled batch were stored ("
        << batch.status.error_code() << ")";
    if (batch.status.ok()) {
      ++ok;
      EXPECT_EQ(present, kSize) << "a batch answered OK is not stored";
    }
    (present == kSize ? kept : dropped) += 1;
  }
  std::cout << batches.size() << " CreateUsers batches cancelled at random points: " << kept
            << " stored whole (" << ok << " answered OK), " << dropped << " not at all\n";
  EXPECT_GT(dropped, 0);
  EXPECT_GT(ok, 0);
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace course::soak
