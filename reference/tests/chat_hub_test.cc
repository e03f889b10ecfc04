// The chat rooms of H1-H4 and H6, with members stood in for by a fake that
// records what the hub queues for it.
#include "domain/chat_hub.h"

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "domain/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/status_matchers.h"

namespace course::domain {

void PrintTo(const ChatMessage& message, std::ostream* os) {
  *os << "{room \"" << message.room << "\", sender \"" << message.sender << "\", text \""
      << message.text << "\", seq " << message.seq << "}";
}

namespace {

using ::course::testing::HasCode;
using ::course::testing::IsOk;
using ::course::testing::IsOkAndHolds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Optional;

// A chat stream that never sends: everything queued stays pending, so the
// number of messages received is the number waiting. Over `capacity` waiting
// messages it reports itself full, as a real stream does past H6's limit.
class FakeMember final : public ChatMember {
 public:
  static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

  explicit FakeMember(std::size_t capacity = kUnlimited) : capacity_(capacity) {}

  bool Enqueue(const ChatMessage& message) override {
    std::lock_guard lock(mu_);
    received_.push_back(message);
    return received_.size() <= capacity_;
  }

  void Wake() override {
    std::function<void()> on_wake;
    {
      std::lock_guard lock(mu_);
      ++wakes_;
      on_wake = on_wake_;
    }
    if (on_wake) on_wake();
  }

  // Runs `action` on every Wake, as a stream ending itself would.
  void OnWake(std::function<void()> action) {
    std::lock_guard lock(mu_);
    on_wake_ = std::move(action);
  }

  std::vector<ChatMessage> Received() const {
    std::lock_guard lock(mu_);
    return received_;
  }

  std::vector<std::int64_t> SeqsIn(const std::string& room) const {
    std::lock_guard lock(mu_);
    std::vector<std::int64_t> seqs;
    for (const ChatMessage& message : received_) {
      if (message.room == room) seqs.push_back(message.seq);
    }
    return seqs;
  }

  int Wakes() const {
    std::lock_guard lock(mu_);
    return wakes_;
  }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::vector<ChatMessage> received_;
  int wakes_ = 0;
  std::function<void()> on_wake_;
};

ChatMessage Message(std::string room, std::string text, std::string sender = "someone") {
  ChatMessage message;
  message.room = std::move(room);
  message.sender = std::move(sender);
  message.text = std::move(text);
  return message;
}

// seqs is first, first+1, ..., last with nothing missing.
bool IsGaplessRun(const std::vector<std::int64_t>& seqs, std::int64_t first, std::int64_t last) {
  if (seqs.size() != static_cast<std::size_t>(last - first + 1)) return false;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (seqs[i] != first + static_cast<std::int64_t>(i)) return false;
  }
  return true;
}

class ChatHubTest : public ::testing::Test {
 protected:
  std::shared_ptr<FakeMember> NewMember(std::size_t capacity = FakeMember::kUnlimited) {
    return std::make_shared<FakeMember>(capacity);
  }

  ChatHub hub_;
};

// ---- H1: room 1..64 bytes, text 1..4096 bytes ----

TEST_F(ChatHubTest, RejectsAnEmptyRoom) {
  const auto seq = hub_.Post(NewMember(), Message("", "hello"));
  EXPECT_THAT(seq.status(), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(seq.status()), Optional(std::string("room")));
}

TEST_F(ChatHubTest, RejectsARoomOf65Bytes) {
  const auto seq = hub_.Post(NewMember(), Message(std::string(65, 'r'), "hi"));
  EXPECT_THAT(seq.status(), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(seq.status()), Optional(std::string("room")));
}

TEST_F(ChatHubTest, AcceptsARoomOf64Bytes) {
  EXPECT_THAT(hub_.Post(NewMember(), Message(std::string(64, 'r'), "hi")), IsOkAndHolds(1));
}

TEST_F(ChatHubTest, RejectsAnEmptyText) {
  const auto seq = hub_.Post(NewMember(), Message("lobby", ""));
  EXPECT_THAT(seq.status(), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(seq.status()), Optional(std::string("text")));
}

TEST_F(ChatHubTest, RejectsATextOf4097Bytes) {
  const auto seq = hub_.Post(NewMember(), Message("lobby", std::string(4097, 't')));
  EXPECT_THAT(seq.status(), HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(FieldOf(seq.status()), Optional(std::string("text")));
}

TEST_F(ChatHubTest, AcceptsATextOf4096Bytes) {
  EXPECT_THAT(hub_.Post(NewMember(), Message("lobby", std::string(4096, 't'))).status(), IsOk());
}

TEST_F(ChatHubTest, AnInvalidPostJoinsNothingAndQueuesNothing) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "")).status(),
              HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(hub_.MemberCount("lobby"), 0u);
  EXPECT_THAT(member->Received(), IsEmpty());
  EXPECT_EQ(member->Wakes(), 0);
}

TEST_F(ChatHubTest, AnInvalidPostUsesNoSeq) {
  ASSERT_THAT(hub_.Post(NewMember(), Message("lobby", "")).status(),
              HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(hub_.Post(NewMember(), Message("lobby", "first")), IsOkAndHolds(1));
}

TEST_F(ChatHubTest, AnInvalidPostReachesNoMemberOfTheRoom) {
  auto listener = NewMember();
  ASSERT_THAT(hub_.Post(listener, Message("lobby", "here")).status(), IsOk());
  ASSERT_THAT(hub_.Post(NewMember(), Message("lobby", std::string(4097, 't'))).status(),
              HasCode(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(listener->Received().size(), 1u);
}

// ---- H2: a member joins a room with its first post there ----

TEST_F(ChatHubTest, TheFirstPostJoinsTheSenderToTheRoom) {
  EXPECT_EQ(hub_.MemberCount("lobby"), 0u);
  ASSERT_THAT(hub_.Post(NewMember(), Message("lobby", "hi")).status(), IsOk());
  EXPECT_EQ(hub_.MemberCount("lobby"), 1u);
}

TEST_F(ChatHubTest, PostingAgainDoesNotJoinTwice) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "one")).status(), IsOk());
  ASSERT_THAT(hub_.Post(member, Message("lobby", "two")).status(), IsOk());
  EXPECT_EQ(hub_.MemberCount("lobby"), 1u);
  EXPECT_THAT(member->SeqsIn("lobby"), ElementsAre(1, 2));
}

TEST_F(ChatHubTest, AMemberHearsNothingFromARoomItHasNotJoined) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(NewMember(), Message("kitchen", "hi")).status(), IsOk());
  EXPECT_THAT(member->SeqsIn("kitchen"), IsEmpty());
}

TEST_F(ChatHubTest, AMemberHearsNothingSentBeforeItJoined) {
  auto early = NewMember();
  ASSERT_THAT(hub_.Post(early, Message("lobby", "before")).status(), IsOk());
  auto late = NewMember();
  ASSERT_THAT(hub_.Post(late, Message("lobby", "joining")).status(), IsOk());
  EXPECT_THAT(late->SeqsIn("lobby"), ElementsAre(2));
}

TEST_F(ChatHubTest, OneMemberMayJoinSeveralRooms) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hi")).status(), IsOk());
  ASSERT_THAT(hub_.Post(member, Message("kitchen", "hi")).status(), IsOk());
  EXPECT_EQ(hub_.MemberCount("lobby"), 1u);
  EXPECT_EQ(hub_.MemberCount("kitchen"), 1u);

  ASSERT_THAT(hub_.Post(NewMember(), Message("kitchen", "tea?")).status(), IsOk());
  EXPECT_THAT(member->SeqsIn("kitchen"), ElementsAre(1, 2));
}

// ---- H3: per-room seq from 1, delivered to everyone including the sender ----

TEST_F(ChatHubTest, EachRoomNumbersItsMessagesFromOneIndependently) {
  auto member = NewMember();
  EXPECT_THAT(hub_.Post(member, Message("a", "1")), IsOkAndHolds(1));
  EXPECT_THAT(hub_.Post(member, Message("a", "2")), IsOkAndHolds(2));
  EXPECT_THAT(hub_.Post(member, Message("b", "1")), IsOkAndHolds(1));
  EXPECT_THAT(hub_.Post(member, Message("a", "3")), IsOkAndHolds(3));
  EXPECT_THAT(hub_.Post(member, Message("b", "2")), IsOkAndHolds(2));
}

TEST_F(ChatHubTest, TheSenderReceivesItsOwnMessageUnchanged) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hello \xF0\x9F\x91\x8B", "Ada \xC3\xA9")),
              IsOkAndHolds(1));
  EXPECT_THAT(
      member->Received(),
      ElementsAre(
          AllOf(Field(&ChatMessage::room, "lobby"), Field(&ChatMessage::sender, "Ada \xC3\xA9"),
                Field(&ChatMessage::text, "hello \xF0\x9F\x91\x8B"), Field(&ChatMessage::seq, 1))));
}

TEST_F(ChatHubTest, AnEmptySenderIsAllowedAndKept) {
  auto member = NewMember();
  ASSERT_THAT(hub_.Post(member, Message("lobby", "hi", "")).status(), IsOk());
  EXPECT_THAT(member->Received(), ElementsAre(Field(&ChatMessage::sender, "")));
}

TEST_F(ChatHubTest, ASeqSetByTheClientIsIgnored) {
  auto member = NewMember();
  ChatMessage message = Message("lobby", "hi");
  message.seq = 99;
  EXPECT_THAT(hub_.Post(member, message), IsOkAndHolds(1));
  EXPECT_THAT(member->SeqsIn("lobby"), ElementsAre(1));
}

TEST_F(ChatHubTest, EveryMemberOfTheRoomReceivesEachMessage) {
  auto ada = NewMember();
  auto bob = NewMember();
  auto cy = NewMember();
  ASSERT_THAT(hub_.Post(ada, Message("lobby", "ada here")).status(), IsOk());
  ASSERT_THAT(hub_.Post(bob, Message("lobby", "bob here")).status(), IsOk());
  ASSERT_THAT(hub_.Post(cy, Message("lobby", "cy here", "Cy")), IsOkAndHolds(3));
  for (const auto& member : {ada, bob, cy}) {
    const std::vector<ChatMessage> received = member->Received();
    ASSERT_FALSE(received.empty());
    EXPECT_THAT(received.back(),
                AllOf(Field(&ChatMessage::text, "cy here"), Field(&ChatMessage::sender, "Cy"),
                      Field(&ChatMessage::seq, 3)));
  }
}

// ---- H4: in seq order, no gaps, from the join on ----

TEST_F(ChatHubTest, EveryMemberSeesTheRoomInSeqOrderFromItsJoin) {
  auto ada = NewMember();
  auto bob = NewMember();
  ASSERT_THAT(hub_.Post(ada, Message("lobby", "a0")).status(), IsOk());
  for (int i = 1; i <= 10; ++i) {
    const auto& sender = i % 2 == 0 ? ada : bob;
    ASSERT_THAT(hub_.Post(sender, Message("lobby", absl::StrCat("m", i))).status(), IsOk());
  }
  EXPECT_TRUE(IsGaplessRun(ada->SeqsIn("lobby"), 1, 11));
  EXPECT_TRUE(IsGaplessRun(bob->SeqsIn("lobby"), 2, 11));
  // Both see the same messages for the seqs they share.
  const std::vector<ChatMessage> for_ada = ada->Received();
  const std::vector<ChatMessage> for_bob = bob->Received();
  ASSERT_EQ(for_ada.size(), for_bob.size() + 1);
  for (std::size_t i = 0; i < for_bob.size(); ++i) {
    EXPECT_EQ(for_bob[i].text, for_ada[i + 1].text) << "seq " << for_bob[i].seq;
  }
}

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
