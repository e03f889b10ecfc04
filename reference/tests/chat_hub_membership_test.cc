// The chat hub's members coming and going: wakes outside the lock, H6's
// dropping of a member that falls behind, Leave, and concurrent posters.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "domain/chat_hub.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/domain_test_support.h"
#include "tests/fake_chat_member.h"
#include "tests/status_matchers.h"

namespace course::domain {
namespace {

using ::course::domain::test::ChatHubTest;
using ::course::domain::test::FakeMember;
using ::course::domain::test::IsGaplessRun;
using ::course::domain::test::Message;
using ::course::testing::IsOk;
using ::course::testing::IsOkAndHolds;

// ---- Wake: after the lock is released ----

TEST_F(ChatHubTest, EveryRecipientIsWokenOncePerPost) {
  auto ada = NewMember();
  auto bob = NewMember();
  ASSERT_THAT(hub_.Post(ada, Message("lobby", "1")).status(), IsOk());
  ASSERT_THAT(hub_.Post(bob, Message("lobby", "2")).status(), IsOk());
  ASSERT_THAT(hub_.Post(bob, Message("lobby", "3")).status(), IsOk());
  EXPECT_EQ(ada->Wakes(), 3);
  EXPECT_EQ(bob->Wakes(), 2);
}

// Wake runs outside the hub's lock, so a member may call back into the hub
// from it (a stream ending itself calls Leave). Were it called under the lock
// this test would deadlock, and ctest's timeout would report it.
TEST_F(ChatHubTest, AMemberMayLeaveTheHubFromWake) {
  auto member = NewMember();
  FakeMember* raw = member.get();
  member->OnWake([this, raw] { hub_.Leave(*raw); });
  ASSERT_THAT(hub_.Post(member, Message("lobby", "bye")).status(), IsOk());
  EXPECT_EQ(hub_.MemberCount("lobby"), 0u);
}

// ---- H6: a member that falls too far behind is dropped ----

// Posts from `poster` to `room` until `slow` has been handed one message more
// than kMaxPendingMessages, the point at which it reports itself full.
void PostUntilOverflow(ChatHub& hub, const std::shared_ptr<FakeMember>& poster,
                       const std::string& room, const std::shared_ptr<FakeMember>& slow) {
  int i = 0;
  while (slow->Received().size() <= kMaxPendingMessages) {
    ASSERT_THAT(hub.Post(poster, Message(room, absl::StrCat("flood ", ++i))).status(), IsOk());
    ASSERT_LE(i, static_cast<int>(kMaxPendingMessages) + 10)
        << "the slow member stopped receiving before it was full";
  }
}

TEST_F(ChatHubTest, AMemberOverItsLimitIsRemovedFromEveryRoom) {
  auto slow = NewMember(kMaxPendingMessages);
  auto fast = NewMember();
  ASSERT_THAT(hub_.Post(slow, Message("lobby", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(slow, Message("kitchen", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(fast, Message("kitchen", "hi")).status(), IsOk());

  PostUntilOverflow(hub_, fast, "lobby", slow);

  EXPECT_EQ(hub_.MemberCount("lobby"), 1u);    // fast only
  EXPECT_EQ(hub_.MemberCount("kitchen"), 1u);  // fast only
  const std::size_t received = slow->Received().size();
  ASSERT_THAT(hub_.Post(fast, Message("kitchen", "after")).status(), IsOk());
  ASSERT_THAT(hub_.Post(fast, Message("lobby", "after")).status(), IsOk());
  EXPECT_EQ(slow->Received().size(), received);
}

TEST_F(ChatHubTest, TheOthersGoOnAfterAMemberIsDropped) {
  auto slow = NewMember(kMaxPendingMessages);
  auto fast = NewMember();
  ASSERT_THAT(hub_.Post(slow, Message("lobby", "hi")), IsOkAndHolds(1));
  ASSERT_THAT(hub_.Post(fast, Message("lobby", "hi")), IsOkAndHolds(2));

  PostUntilOverflow(hub_, fast, "lobby", slow);
  const auto last = hub_.Post(fast, Message("lobby", "still here"));
  ASSERT_THAT(last.status(), IsOk());

  EXPECT_TRUE(IsGaplessRun(fast->SeqsIn("lobby"), 2, *last));
}

TEST_F(ChatHubTest, ADroppedMemberIsStillWokenSoItCanEndItsStream) {
  auto slow = NewMember(kMaxPendingMessages);
  auto fast = NewMember();
  ASSERT_THAT(hub_.Post(slow, Message("lobby", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(fast, Message("lobby", "hi")).status(), IsOk());
  PostUntilOverflow(hub_, fast, "lobby", slow);
  // One wake per message handed over, the refused last one included.
  EXPECT_EQ(static_cast<std::size_t>(slow->Wakes()), slow->Received().size());
}

// ---- Leave ----

TEST_F(ChatHubTest, LeaveRemovesTheMemberFromEveryRoom) {
  auto member = NewMember();
  auto other = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(member, Message("kitchen", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(other, Message("kitchen", "hi")).status(), IsOk());

  hub_.Leave(*member);

  EXPECT_EQ(hub_.MemberCount("lobby"), 0u);
  EXPECT_EQ(hub_.MemberCount("kitchen"), 1u);
}

TEST_F(ChatHubTest, AMemberThatLeftReceivesNothingMore) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hi")).status(), IsOk());
  hub_.Leave(*member);
  ASSERT_THAT(hub_.Post(NewMember(), Message("lobby", "anyone?")).status(), IsOk());
  EXPECT_EQ(member->Received().size(), 1u);
}

TEST_F(ChatHubTest, LeavingTwiceOrWithoutJoiningIsHarmless) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hi")).status(), IsOk());
  hub_.Leave(*member);
  hub_.Leave(*member);
  FakeMember stranger;
  hub_.Leave(stranger);
  EXPECT_EQ(hub_.MemberCount("lobby"), 0u);
}

TEST_F(ChatHubTest, LeavingDoesNotResetTheRoomsSeq) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "1")), IsOkAndHolds(1));
  hub_.Leave(*member);
  EXPECT_THAT(hub_.Post(NewMember(), Message("lobby", "2")), IsOkAndHolds(2));
}

// ---- Concurrency ----

TEST_F(ChatHubTest, ConcurrentPostersGiveEveryMemberGaplessIncreasingSeqs) {
  constexpr int kPosters = 4;
  constexpr int kPostsEach = 500;
  constexpr int kListeners = 3;

  std::vector<std::shared_ptr<FakeMember>> listeners;
  for (int i = 0; i < kListeners; ++i) {
    listeners.push_back(NewMember());
    ASSERT_THAT(hub_.Post(listeners.back(), Message("busy", "joining")), IsOkAndHolds(i + 1));
  }

  std::vector<std::shared_ptr<FakeMember>> posters;
  for (int p = 0; p < kPosters; ++p) posters.push_back(NewMember());
  std::vector<std::vector<std::int64_t>> returned(kPosters);
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int p = 0; p < kPosters; ++p) {
    threads.emplace_back([&, p] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < kPostsEach; ++i) {
        const auto seq =
            hub_.Post(posters[p], Message("busy", absl::StrCat(i), absl::StrCat("p", p)));
        returned[p].push_back(seq.value_or(-1));
      }
    });
  }
  go.store(true);
  for (std::thread& thread : threads) thread.join();

  const std::int64_t last = kListeners + kPosters * kPostsEach;
  for (int i = 0; i < kListeners; ++i) {
    EXPECT_TRUE(IsGaplessRun(listeners[i]->SeqsIn("busy"), i + 1, last)) << "listener " << i;
  }
  for (int p = 0; p < kPosters; ++p) {
    // A poster's own seqs increase, and from its first post on it sees every
    // message of the room.
    ASSERT_EQ(returned[p].size(), static_cast<std::size_t>(kPostsEach));
    for (std::size_t i = 1; i < returned[p].size(); ++i) {
      ASSERT_GT(returned[p][i], returned[p][i - 1]) << "poster " << p;
    }
    EXPECT_TRUE(IsGaplessRun(posters[p]->SeqsIn("busy"), returned[p].front(), last))
        << "poster " << p;
  }
  // Each sender's messages reach a listener in the order they were posted.
  for (const auto& listener : listeners) {
    std::vector<int> next(kPosters, 0);
    for (const ChatMessage& message : listener->Received()) {
      if (message.text == "joining") continue;
      const int p = message.sender[1] - '0';
      EXPECT_EQ(message.text, absl::StrCat(next[p]++)) << "from " << message.sender;
    }
  }
}
}  // namespace
}  // namespace course::domain
