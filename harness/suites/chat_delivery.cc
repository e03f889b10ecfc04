// Chat delivery (H3): echo, numbering per room, every member, both services
// sharing rooms, full duplex; and order (H4): late joiners, concurrent
// senders.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "core/describe.h"
#include "suites/chat_parts.h"

namespace course::harness::chat_suite {

namespace {

void NumbersMessagesPerRoom(CheckContext& ctx) {
  const std::string red = ctx.UniqueRoom();
  const std::string blue = ctx.UniqueRoom();
  ChatCall call(ctx, "stream");
  const std::vector<std::pair<std::string, std::int64_t>> plan = {
      {red, 1}, {red, 2}, {blue, 1}, {red, 3}, {blue, 2}};
  for (std::size_t i = 0; i < plan.size(); ++i) {
    v1::Message message = Msg(plan[i].first, "ann", absl::StrCat("message ", i + 1));
    message.set_seq(1000 + static_cast<std::int64_t>(i));
    call.Write(message);
    message.clear_seq();
    v1::Message got = ExpectDelivered(ctx, call, message, std::nullopt, kEchoHint);
    if (got.seq() == plan[i].second) continue;
    std::string hint = kSeqHint;
    if (got.seq() >= 1000) {
      hint = "the server sets seq; ignore whatever the client put there";
    } else if (got.seq() > plan[i].second) {
      hint = "assign seq per room, not globally";
    }
    ctx.Fail(absl::StrCat("message ", i + 1, " (number ", plan[i].second, " in room ",
                          plan[i].first, ") came back with seq ", got.seq()),
             absl::StrCat("seq ", plan[i].second), hint);
  }
}

void DeliversToEveryMember(CheckContext& ctx) {
  const std::string room = ctx.UniqueRoom();
  std::vector<std::unique_ptr<ChatCall>> members;
  std::int64_t seq = 0;
  // Everyone joins, then each posts twice, in turns. After each post,
  // every member that has joined must have exactly that message next.
  const std::vector<std::string> names = {"ann", "bob", "cy"};
  auto post = [&](std::size_t from, const std::string& text) {
    const v1::Message m = Msg(room, names[from], text);
    members[from]->Write(m);
    ++seq;
    for (std::size_t i = 0; i < members.size(); ++i) {
      ExpectDelivered(ctx, *members[i], m, seq, i == from ? kEchoHint : kOthersHint);
    }
  };
  for (std::size_t i = 0; i < names.size(); ++i) {
    members.push_back(std::make_unique<ChatCall>(ctx, names[i]));
    post(i, absl::StrCat(names[i], " joins"));
  }
  for (int round = 1; round <= 2; ++round) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      post(i, absl::StrCat(names[i], " says ", round));
    }
  }
}

constexpr int kEachSender = 150;
// Each member gets both senders' messages.
constexpr std::size_t kBothSenders = 2 * kEachSender;

// ann and bob each post kEachSender messages at once, from threads, while
// two more threads read what each of them gets.
void PostAtOnce(const std::string& room, ChatCall& ann, ChatCall& bob,
                std::vector<v1::Message>& got_ann, std::vector<v1::Message>& got_bob) {
  auto reader = [](ChatCall& call, std::vector<v1::Message>& got) {
    return [&call, &got] {
      v1::Message m;
      while (got.size() < kBothSenders && call.stream().Read(&m)) {
        got.push_back(m);
      }
    };
  };
  auto writer = [&room](ChatCall& call, const std::string& who) {
    return [&call, &room, who] {
      for (int i = 1; i <= kEachSender; ++i) {
        const v1::Message m = Msg(room, who, absl::StrCat(who, " ", i));
        if (!call.stream().Write(m)) return;
      }
    };
  };
  CallThread read_ann(ann, reader(ann, got_ann));
  CallThread read_bob(bob, reader(bob, got_bob));
  CallThread write_ann(ann, writer(ann, "ann"));
  CallThread write_bob(bob, writer(bob, "bob"));
  write_ann.Join();
  write_bob.Join();
  read_ann.Join();
  read_bob.Join();
}

// Fails unless `call` got every message after the joins once, gap-free from
// seq 3, and (when `reference` is set) the same message per seq as it.
void ExpectOneOrder(CheckContext& ctx, const std::string& room, ChatCall& call,
                    const std::vector<v1::Message>& got,
                    const std::vector<v1::Message>* reference) {
  ctx.Received(absl::StrCat(
      call.name(), " -> ", got.size(), " messages",
      got.empty() ? "" : absl::StrCat(", seq ", got.front().seq(), "..", got.back().seq())));
  if (got.size() < kBothSenders) {
    const grpc::Status status = call.Finish();
    ctx.Fail(absl::StrCat(call.name(), " got ", got.size(), " of the ", kBothSenders,
                          " messages posted after it joined, then ", call.Ended(status)),
             absl::StrCat("all ", kBothSenders, " messages"), kOthersHint);
  }
  std::map<std::string, int> seen;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const v1::Message& m = got[i];
    const std::int64_t want = 3 + static_cast<std::int64_t>(i);
    if (m.seq() != want) {
      ctx.Fail(absl::StrCat(call.name(), "'s message ", i + 1, " after the joins, ", Describe(m),
                            ", has seq ", m.seq(), ", want ", want),
               "seq increasing by one, no gaps, no repeats",
               "take the seq and queue the message for every member in "
               "one step (under one lock), so no two messages get the "
               "same seq or overtake each other");
    }
    if (++seen[m.text()] > 1 || m.room() != room) {
      ctx.Fail(absl::StrCat(call.name(), " got ", Describe(m), " twice, or from another room"),
               "each message once", kSeqHint);
    }
    if (reference != nullptr && !SameContent(m, (*reference)[i])) {
      ctx.Fail(absl::StrCat("ann and bob disagree about seq ", m.seq(), ": ann got ",
                            Describe((*reference)[i]), ", bob got ", Describe(m)),
               "one message per seq, the same for every member",
               "number and deliver a room's messages in one step, "
               "under one lock");
    }
  }
}

void ConcurrentSendersKeepOneOrder(CheckContext& ctx) {
  const std::string room = ctx.UniqueRoom();
  ChatCall ann(ctx, "ann");
  ChatCall bob(ctx, "bob");
  JoinAnnThenBob(ctx, room, ann, bob, "ann joins", "bob joins");

  ann.set_quiet(true);
  bob.set_quiet(true);
  ctx.Sent(absl::StrCat("ann and bob <- ", kEachSender,
                        " messages each, at the same time, texts \"ann "
                        "1\"..., \"bob 1\"..."));
  std::vector<v1::Message> got_ann, got_bob;
  PostAtOnce(room, ann, bob, got_ann, got_bob);
  ExpectOneOrder(ctx, room, ann, got_ann, nullptr);
  ExpectOneOrder(ctx, room, bob, got_bob, &got_ann);
}

}  // namespace

void AddDeliveryChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"chat.echoes-to-sender", "H3",
                    "Chat echoes a message to its sender, unchanged, with seq "
                    "1 in a new room",
                    [](CheckContext& ctx) {
                      ChatCall call(ctx, "stream");
                      const v1::Message message =
                          Msg(ctx.UniqueRoom(), "Zoë ✓", "hello, room  (two spaces, ünïcode)");
                      PostAndExpectEcho(ctx, call, message, 1);
                    }});
  checks.push_back({"chat.numbers-messages-per-room", "H3",
                    "Chat numbers messages per room from 1 and ignores a seq set by the "
                    "client",
                    NumbersMessagesPerRoom});
  checks.push_back({"chat.delivers-to-every-member-in-order", "H3",
                    "Chat delivers each message, unchanged, to every member, the sender "
                    "included",
                    DeliversToEveryMember});
  checks.push_back({"chat.both-services-share-rooms", "H3",
                    "ChatService.Chat and UserService.Chat share one set of rooms",
                    [](CheckContext& ctx) {
                      const std::string room = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann (ChatService.Chat)", Via::kChatService);
                      ChatCall bob(ctx, "bob (UserService.Chat)", Via::kUserService);
                      constexpr char kShareHint[] =
                          "both Chat methods must use one hub (one set of rooms); a hub "
                          "per service splits the room in two";
                      const v1::Message ann_in = Msg(room, "ann", "hello from ChatService");
                      PostAndExpectEcho(ctx, ann, ann_in, 1);
                      const v1::Message bob_in = Msg(room, "bob", "hello from UserService");
                      bob.Write(bob_in);
                      ExpectDelivered(ctx, bob, bob_in, 2,
                                      "UserService.Chat is the same chat as ChatService.Chat, "
                                      "echo included",
                                      kShareHint);
                      ExpectDelivered(ctx, ann, bob_in, 2, kShareHint);
                      const v1::Message ann_again = Msg(room, "ann", "welcome, bob");
                      PostAndExpectEcho(ctx, ann, ann_again, 3);
                      ExpectDelivered(ctx, bob, ann_again, 3, kShareHint);
                    }});
  checks.push_back({"chat.full-duplex-echo-before-half-close", "H3",
                    "Chat echoes each message while the client keeps its side open",
                    [](CheckContext& ctx) {
                      const std::string room = ctx.UniqueRoom();
                      ChatCall call(ctx, "stream");
                      for (int i = 1; i <= 5; ++i) {
                        const v1::Message m = Msg(room, "ann", absl::StrCat("ping ", i));
                        call.Write(m);
                        ExpectDelivered(ctx, call, m, i,
                                        "answer each message as it arrives: a chat is full "
                                        "duplex, and a server that reads the whole stream "
                                        "first only answers after the client half-closes");
                      }
                    }});
}

void AddOrderChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"chat.late-joiner-starts-at-its-join", "H4",
                    "A stream that joins late starts at its own join and then misses "
                    "nothing",
                    [](CheckContext& ctx) {
                      const std::string room = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann");
                      ChatCall bob(ctx, "bob");
                      for (int i = 1; i <= 3; ++i) {
                        const v1::Message m = Msg(room, "ann", absl::StrCat("before bob ", i));
                        PostAndExpectEcho(ctx, ann, m, i);
                      }
                      const v1::Message bob_in = Msg(room, "bob", "bob joins");
                      bob.Write(bob_in);
                      ExpectDelivered(ctx, bob, bob_in, 4,
                                      "a stream starts at the message with which it joined; "
                                      "do not replay the room's history to it");
                      ExpectDelivered(ctx, ann, bob_in, 4, kOthersHint);
                      for (int i = 5; i <= 6; ++i) {
                        const v1::Message m = Msg(room, "ann", absl::StrCat("after bob ", i));
                        PostAndExpectEcho(ctx, ann, m, i);
                        ExpectDelivered(ctx, bob, m, i, kOthersHint);
                      }
                    }});
  checks.push_back({"chat.concurrent-senders-keep-one-order", "H4",
                    "Two members posting at once both see every message, in one gap-free "
                    "seq order",
                    ConcurrentSendersKeepOneOrder});
}

}  // namespace course::harness::chat_suite
