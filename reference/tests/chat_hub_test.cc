// The chat rooms of H1-H4: what may be posted, who joins, how messages are
// numbered and who receives them. Members are stood in for by a fake that
// records what the hub queues for it (tests/fake_chat_member.h); wakes, H6,
// leaving and concurrent posters are in chat_hub_membership_test.cc.
#include "domain/chat_hub.h"

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "domain/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/domain_test_support.h"
#include "tests/fake_chat_member.h"
#include "tests/status_matchers.h"

namespace course::domain {
namespace {

using ::course::domain::test::ChatHubTest;
using ::course::domain::test::IsGaplessRun;
using ::course::domain::test::Message;
using ::course::testing::HasCode;
using ::course::testing::IsOk;
using ::course::testing::IsOkAndHolds;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::Optional;

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
}  // namespace
}  // namespace course::domain
