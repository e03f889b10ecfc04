// The chat hub and the user store under concurrent use from many threads:
// the cases the TSan preset exists for (joining, posting, leaving and being
// dropped at once, in several rooms; reading the store while batches
// commit). The single-threaded rules are in the other domain tests.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/chat_hub.h"
#include "domain/user_store.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/fake_chat_member.h"

namespace course::domain {
namespace {

using ::course::domain::test::ChatHubTest;
using ::course::domain::test::FakeMember;
using ::course::domain::test::IsGaplessRun;
using ::course::domain::test::Message;

constexpr int kRooms = 4;
constexpr int kPosters = 6;
// Divisible by 2 * kRooms, so every room gets the same number of posts.
constexpr int kPostsEach = 320;

// Starts every thread at once, so that the work overlaps.
class StartLine {
 public:
  void Wait() const {
    while (!go_.load()) std::this_thread::yield();
  }
  void Go() { go_.store(true); }

 private:
  std::atomic<bool> go_{false};
};

TEST_F(ChatHubTest, PostersInSeveralRoomsWhileOthersJoinAndLeave) {
  std::vector<std::shared_ptr<FakeMember>> posters;
  for (int p = 0; p < kPosters; ++p) posters.push_back(NewMember());
  StartLine start;
  std::vector<std::thread> threads;
  for (int p = 0; p < kPosters; ++p) {
    threads.emplace_back([&, p] {
      start.Wait();
      for (int i = 0; i < kPostsEach; ++i) {
        const std::string room = absl::StrCat("room", (p + i) % kRooms);
        EXPECT_TRUE(hub_.Post(posters[p], Message(room, absl::StrCat(i))).ok());
      }
    });
  }
  // Visitors join a room with one message and leave at once, again and again.
  constexpr int kVisitors = 2;
  for (int v = 0; v < kVisitors; ++v) {
    threads.emplace_back([&] {
      start.Wait();
      for (int i = 0; i < kPostsEach / 2; ++i) {
        auto visitor = NewMember();
        EXPECT_TRUE(hub_.Post(visitor, Message(absl::StrCat("room", i % kRooms), "hi")).ok());
        hub_.Leave(*visitor);
      }
    });
  }
  start.Go();
  for (std::thread& thread : threads) thread.join();

  // Every room numbered all its messages once; a poster saw a gapless run
  // in every room from its first post there on.
  const std::int64_t per_room = (kPosters * kPostsEach + kVisitors * kPostsEach / 2) / kRooms;
  for (int r = 0; r < kRooms; ++r) {
    const std::string room = absl::StrCat("room", r);
    EXPECT_EQ(hub_.MemberCount(room), static_cast<std::size_t>(kPosters)) << room;
    for (int p = 0; p < kPosters; ++p) {
      const std::vector<std::int64_t> seqs = posters[p]->SeqsIn(room);
      ASSERT_FALSE(seqs.empty()) << room << " poster " << p;
      EXPECT_TRUE(IsGaplessRun(seqs, seqs.front(), per_room)) << room << " poster " << p;
    }
  }
}

TEST_F(ChatHubTest, SlowMembersAreDroppedWhileOthersPostAndReceive) {
  constexpr std::size_t kSmall = 16;
  std::vector<std::shared_ptr<FakeMember>> slow, fast;
  for (int i = 0; i < 4; ++i) {
    slow.push_back(NewMember(kSmall));
    fast.push_back(NewMember());
    ASSERT_TRUE(hub_.Post(slow.back(), Message("busy", "join")).ok());
    ASSERT_TRUE(hub_.Post(fast.back(), Message("busy", "join")).ok());
  }
  StartLine start;
  std::vector<std::thread> threads;
  for (int p = 0; p < 4; ++p) {
    threads.emplace_back([&, p] {
      start.Wait();
      for (int i = 0; i < kPostsEach; ++i) {
        EXPECT_TRUE(hub_.Post(fast[p], Message("busy", absl::StrCat(i))).ok());
      }
    });
  }
  start.Go();
  for (std::thread& thread : threads) thread.join();

  // H6: the slow ones are gone (each got one message past its limit, then
  // nothing); the fast ones are still members and missed nothing.
  EXPECT_EQ(hub_.MemberCount("busy"), fast.size());
  for (const auto& member : slow) EXPECT_EQ(member->Received().size(), kSmall + 1);
  const std::int64_t last = 8 + 4 * kPostsEach;
  for (std::size_t i = 0; i < fast.size(); ++i) {
    EXPECT_TRUE(IsGaplessRun(fast[i]->SeqsIn("busy"), fast[i]->SeqsIn("busy").front(), last))
        << "member " << i;
  }
}

TEST(UserStoreConcurrency, ReadersSeeEachBatchWholeWhileItCommits) {
  InMemoryUserStore store;
  constexpr int kBatches = 200, kPerBatch = 5;
  StartLine start;
  std::atomic<bool> done{false};
  std::atomic<int> torn{0};
  std::thread writer([&] {
    start.Wait();
    for (int b = 0; b < kBatches; ++b) {
      std::vector<NewUser> batch;
      for (int u = 0; u < kPerBatch; ++u) {
        batch.push_back(
            {absl::StrCat("B", b, " U", u), absl::StrCat("b", b, ".u", u, "@x.example")});
      }
      EXPECT_TRUE(store.InsertAll(batch).ok());
    }
    done.store(true);
  });
  // Readers count the users while batches commit: the count is always a
  // whole number of batches (C4: a batch appears all at once), and the first
  // user, once there, stays findable by id and email.
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      start.Wait();
      while (!done.load()) {
        const std::size_t size = store.size();
        if (size % kPerBatch != 0) ++torn;
        auto first = store.FirstAfter(0);
        if (first.has_value() && (!store.EmailTaken(first->email) || !store.Get(first->id).ok())) {
          ++torn;
        }
      }
    });
  }
  start.Go();
  writer.join();
  for (std::thread& reader : readers) reader.join();
  EXPECT_EQ(torn.load(), 0);
  EXPECT_EQ(store.size(), static_cast<std::size_t>(kBatches * kPerBatch));
}

}  // namespace
}  // namespace course::domain
