// Chat: the bidirectional stream of ChatService and UserService (H1-H6).
//
// Every check makes its own rooms with ctx.UniqueRoom(), so a room's first
// message is the check's own and gets seq 1. Every read is bounded by its
// call's deadline: a server that forgets to deliver makes a check fail, never
// hang. Streams still open when a check ends (or fails) are cancelled.
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "core/describe.h"

namespace course::harness {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Stream = grpc::ClientReaderWriter<v1::Message, v1::Message>;

// Generous on a shared two-core machine, and well inside the runner's 30 s
// bound for one check. A conforming server answers in milliseconds.
constexpr milliseconds kCallDeadline = seconds(10);

constexpr char kSeqHint[] =
    "seq counts per room: 1 for the room's first message, then one more for "
    "each message, whoever sent it";

constexpr char kValidHint[] =
    "this message is valid (H1: a room of 1..64 bytes, a text of 1..4,096 "
    "bytes, any sender), so it must not end the stream";
constexpr char kErrorHint[] =
    "the server ended the stream with an error in the middle of a valid "
    "conversation; its log should say why";

enum class Via { kChatService, kUserService };

v1::Message Msg(const std::string& room, const std::string& sender, const std::string& text) {
  v1::Message message;
  message.set_room(room);
  message.set_sender(sender);
  message.set_text(text);
  return message;
}

bool SameContent(const v1::Message& a, const v1::Message& b) {
  return a.room() == b.room() && a.sender() == b.sender() && a.text() == b.text();
}

// `room` made exactly `bytes` long, still unique to this check.
std::string RoomOfLength(CheckContext& ctx, std::size_t bytes) {
  std::string room = ctx.UniqueRoom();
  room.resize(bytes, '-');  // UniqueRoom() is about 30 bytes
  return room;
}

// `head` padded with dots to exactly `bytes` bytes.
std::string Padded(const std::string& head, std::size_t bytes) {
  std::string text = head;
  text.resize(bytes, '.');
  return text;
}

// A client that does not read absorbs what gRPC's HTTP/2 flow-control windows
// let through before anything waits on the server: several MiB once BDP
// probing has grown them. The checks that need messages to wait on the
// server (H5, H6) read through a channel of their own with probing off and a
// 64 KiB window, so a few hundred KB are enough to back up.
std::unique_ptr<v1::ChatService::Stub> SmallWindowStub(CheckContext& ctx) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 65535);
  return v1::ChatService::NewStub(ctx.target().NewChannel(args));
}

// One Chat call, with its transcript. Cancelled if it goes out of scope
// unfinished, so a check that fails half-way leaves no stream open.
class ChatCall {
 public:
  ChatCall(CheckContext& ctx, std::string name, Via via = Via::kChatService,
           milliseconds deadline = kCallDeadline)
      : ctx_(ctx), name_(std::move(name)), deadline_(deadline), context_(ctx.NewCall(deadline)) {
    stream_ = via == Via::kChatService ? ctx.chat().Chat(context_.get())
                                       : ctx.users().Chat(context_.get());
  }
  // On a stub of its own, for a channel with special arguments.
  ChatCall(CheckContext& ctx, std::string name, v1::ChatService::Stub& stub, milliseconds deadline)
      : ctx_(ctx),
        name_(std::move(name)),
        deadline_(deadline),
        context_(ctx.NewCall(deadline)),
        stream_(stub.Chat(context_.get())) {}
  ~ChatCall() {
    if (!finished_) Cancel();
  }
  ChatCall(const ChatCall&) = delete;
  ChatCall& operator=(const ChatCall&) = delete;

  const std::string& name() const { return name_; }
  // Bulk traffic is summarised by the check instead of recorded one by one;
  // threads must not record either (the transcript is not thread-safe).
  void set_quiet(bool quiet) { quiet_ = quiet; }
  Stream& stream() { return *stream_; }
  void Cancel() { context_->TryCancel(); }

  bool Write(const v1::Message& message) {
    if (!quiet_) ctx_.Sent(absl::StrCat(name_, " <- ", Describe(message)));
    return stream_->Write(message);
  }
  bool Read(v1::Message* message) {
    if (!stream_->Read(message)) return false;
    if (!quiet_) ctx_.Received(absl::StrCat(name_, " -> ", Describe(*message)));
    return true;
  }
  void HalfClose() {
    ctx_.Sent(absl::StrCat(name_, " <- half-close"));
    stream_->WritesDone();
  }
  grpc::Status Finish() {
    grpc::Status status = stream_->Finish();
    finished_ = true;
    ctx_.Received(absl::StrCat(name_, " -> ends ", DescribeStatus(status)));
    return status;
  }

  // How the stream ended, in words, for a failure message.
  std::string Ended(const grpc::Status& status) const {
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
      return absl::StrCat("nothing came within the call's ", deadline_.count() / 1000,
                          " s deadline");
    }
    return absl::StrCat("the server ended the stream with ", DescribeStatus(status));
  }

  // The next message; fails the check, saying what was due, if none comes.
  // `hint` is for a message that never comes (or a stream that ends OK),
  // `rejected_hint` for a stream the server ends with INVALID_ARGUMENT.
  v1::Message Next(const std::string& due, const std::string& hint,
                   const std::string& rejected_hint = kValidHint) {
    v1::Message message;
    if (Read(&message)) return message;
    const grpc::Status status = Finish();
    std::string why = hint;
    if (status.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      why = rejected_hint;
    } else if (!status.ok() && status.error_code() != grpc::StatusCode::DEADLINE_EXCEEDED) {
      why = kErrorHint;
    }
    ctx_.Fail(absl::StrCat(name_, " was due ", due, ", but ", Ended(status)), due, why);
  }

  // Fails unless the server ends the stream without sending anything more.
  grpc::Status ExpectEnd(const std::string& what, const std::string& hint) {
    v1::Message extra;
    if (Read(&extra)) {
      ctx_.Fail(absl::StrCat(name_, " got ", Describe(extra), " after ", what),
                "no more messages, then the end of the stream", hint);
    }
    return Finish();
  }

 private:
  CheckContext& ctx_;
  std::string name_;
  milliseconds deadline_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<Stream> stream_;
  bool quiet_ = false;
  bool finished_ = false;
};

// A thread working on one call. If the check fails while it runs, the call
// is cancelled first, so the thread's blocking Read or Write returns at once,
// and then the thread is joined.
class CallThread {
 public:
  CallThread(ChatCall& call, std::function<void()> body) : call_(call), thread_(std::move(body)) {}
  ~CallThread() {
    if (thread_.joinable()) {
      call_.Cancel();
      thread_.join();
    }
  }
  CallThread(const CallThread&) = delete;
  CallThread& operator=(const CallThread&) = delete;
  void Join() { thread_.join(); }

 private:
  ChatCall& call_;
  std::thread thread_;
};

std::string ContentHint(const v1::Message& got, const v1::Message& want) {
  if (got.room() != want.room()) {
    return "deliver a message only to the streams that joined its room";
  }
  if (got.text() == want.text() && got.sender() != want.sender()) {
    return "deliver `sender` exactly as the client sent it";
  }
  if (got.text() == want.text()) {
    return "deliver room, sender and text unchanged";
  }
  return "another message came where this one was due: each stream gets the "
         "room's messages once each, in seq order";
}

// Reads the next message of `call` and fails unless it is `sent`, unchanged,
// with `seq` (any seq when nullopt).
v1::Message ExpectDelivered(CheckContext& ctx, ChatCall& call, const v1::Message& sent,
                            std::optional<std::int64_t> seq, const std::string& missing_hint,
                            const std::string& seq_hint = kSeqHint,
                            const std::string& rejected_hint = kValidHint) {
  const std::string due = absl::StrCat(Describe(sent), seq ? absl::StrCat(" with seq ", *seq) : "");
  v1::Message got = call.Next(due, missing_hint, rejected_hint);
  if (!SameContent(got, sent)) {
    ctx.Fail(absl::StrCat(call.name(), " got ", Describe(got), " where ", due, " was due"), due,
             ContentHint(got, sent));
  }
  if (seq && got.seq() != *seq) {
    ctx.Fail(absl::StrCat(call.name(), " got ", Describe(sent), " with seq ", got.seq(),
                          ", want seq ", *seq),
             due, seq_hint);
  }
  return got;
}

constexpr char kEchoHint[] =
    "broadcast to the other members but forgot the sender's own stream (the "
    "echo), or waited for the client to half-close before answering";
constexpr char kOthersHint[] =
    "deliver each message to every stream in the room, not only to the sender";

// Sends `bad` as a stream's first message, then a valid probe in a room of
// its own. A server that skips the bad message instead of ending the stream
// echoes the probe, so it fails at once rather than at the deadline.
void ExpectRejected(CheckContext& ctx, const v1::Message& bad, const std::string& what,
                    const std::string& hint) {
  ChatCall call(ctx, "stream");
  const v1::Message probe = Msg(ctx.UniqueRoom(), "probe", "a valid message after the invalid one");
  call.Write(bad);
  call.Write(probe);  // false when the server already ended the stream
  v1::Message got;
  if (call.Read(&got)) {
    if (SameContent(got, probe)) {
      ctx.Fail(absl::StrCat("the server skipped a message with ", what,
                            " and went on: it echoed the next message"),
               "the stream ends with INVALID_ARGUMENT at the invalid message",
               "end the stream with INVALID_ARGUMENT; do not drop the message "
               "and carry on");
    }
    ctx.Fail(
        absl::StrCat("the server accepted a message with ", what, " and delivered ", Describe(got)),
        "the stream ends with INVALID_ARGUMENT, nothing delivered", hint);
  }
  ctx.ExpectCode(call.Finish(), grpc::StatusCode::INVALID_ARGUMENT,
                 absl::StrCat("a Chat stream whose first message has ", what), hint);
}

void AddValidationChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"chat.rejects-empty-room", "H1",
                    "Chat ends a stream with INVALID_ARGUMENT when a message has no room",
                    [](CheckContext& ctx) {
                      ExpectRejected(ctx, Msg("", "ann", "hello, nobody"), "an empty room",
                                     "check `room` before joining: an empty room is an "
                                     "error, not a room named \"\"");
                    }});
  checks.push_back({"chat.rejects-oversized-room", "H1",
                    "Chat ends a stream with INVALID_ARGUMENT when a room is over 64 bytes",
                    [](CheckContext& ctx) {
                      ExpectRejected(ctx, Msg(RoomOfLength(ctx, 65), "ann", "hello"),
                                     "a room of 65 bytes",
                                     "a room is at most 64 bytes: compare its byte length "
                                     "with `> 64`");
                    }});
  checks.push_back({"chat.rejects-empty-text", "H1",
                    "Chat ends a stream with INVALID_ARGUMENT when a message has no text",
                    [](CheckContext& ctx) {
                      ExpectRejected(ctx, Msg(ctx.UniqueRoom(), "ann", ""), "an empty text",
                                     "check `text` as well as `room`: an empty text is an "
                                     "error");
                    }});
  checks.push_back({"chat.rejects-oversized-text", "H1",
                    "Chat ends a stream with INVALID_ARGUMENT when a text is over 4,096 "
                    "bytes",
                    [](CheckContext& ctx) {
                      std::string text;
                      for (int i = 0; i < 2048; ++i) text += "\xc3\xa9";  // "é", 2 bytes
                      text += "!";
                      ExpectRejected(ctx, Msg(ctx.UniqueRoom(), "ann", text),
                                     "a text of 4,097 bytes (2,049 characters)",
                                     "a text is at most 4,096 bytes of UTF-8: count bytes, "
                                     "not characters");
                    }});
  checks.push_back({"chat.accepts-room-and-text-at-the-limits", "H1",
                    "Chat accepts a room of exactly 64 bytes and a text of exactly 4,096 "
                    "bytes",
                    [](CheckContext& ctx) {
                      ChatCall call(ctx, "stream");
                      const v1::Message message =
                          Msg(RoomOfLength(ctx, 64), "ann", std::string(4096, 't'));
                      call.Write(message);
                      ExpectDelivered(ctx, call, message, 1, kEchoHint, kSeqHint,
                                      "the limits are inclusive: 64 bytes of room and 4,096 "
                                      "bytes of text are allowed (`>`, not `>=`)");
                    }});
  checks.push_back({"chat.accepts-empty-sender", "H1",
                    "Chat accepts and delivers a message whose sender is empty",
                    [](CheckContext& ctx) {
                      ChatCall call(ctx, "stream");
                      const v1::Message message = Msg(ctx.UniqueRoom(), "", "who said that?");
                      call.Write(message);
                      ExpectDelivered(ctx, call, message, 1, kEchoHint, kSeqHint,
                                      "only room and text are required; `sender` is free "
                                      "text and may be empty");
                    }});
  checks.push_back({"chat.invalid-message-ends-only-that-stream", "H1",
                    "An invalid message ends its own stream; the room goes on without a gap",
                    [](CheckContext& ctx) {
                      const std::string room = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann");
                      ChatCall bob(ctx, "bob");
                      const v1::Message hello = Msg(room, "ann", "hello");
                      ann.Write(hello);
                      ExpectDelivered(ctx, ann, hello, 1, kEchoHint);
                      const v1::Message joins = Msg(room, "bob", "hi ann");
                      bob.Write(joins);
                      ExpectDelivered(ctx, bob, joins, 2, kEchoHint);
                      ExpectDelivered(ctx, ann, joins, 2, kOthersHint);
                      bob.Write(Msg(room, "bob", ""));
                      ctx.ExpectCode(bob.ExpectEnd("sending a message with an empty text",
                                                   "an invalid message is never delivered"),
                                     grpc::StatusCode::INVALID_ARGUMENT,
                                     "bob's stream after a message with an empty text",
                                     "validate every message, not only the first of a stream");
                      const v1::Message again = Msg(room, "ann", "still here?");
                      ann.Write(again);
                      ExpectDelivered(ctx, ann, again, 3,
                                      "one member's invalid message must not end or stall "
                                      "the other members' streams",
                                      "a rejected message gets no seq: number a message "
                                      "only after it passed validation");
                    }});
}

void AddRoomChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"chat.receives-only-rooms-it-joined", "H2",
                    "A stream gets the messages of the rooms it joined, and only from its "
                    "join on",
                    [](CheckContext& ctx) {
                      const std::string lobby = ctx.UniqueRoom();
                      const std::string garden = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann");
                      ChatCall bob(ctx, "bob");
                      const v1::Message bob_in = Msg(garden, "bob", "bob waits in the garden");
                      bob.Write(bob_in);
                      ExpectDelivered(ctx, bob, bob_in, 1, kEchoHint);
                      for (int i = 1; i <= 2; ++i) {
                        const v1::Message m = Msg(lobby, "ann", absl::StrCat("lobby ", i));
                        ann.Write(m);
                        ExpectDelivered(ctx, ann, m, i, kEchoHint);
                      }
                      // ann now joins the garden: she must not get bob's earlier message,
                      // and bob must not have got her lobby messages.
                      const v1::Message ann_in = Msg(garden, "ann", "ann enters the garden");
                      ann.Write(ann_in);
                      ExpectDelivered(ctx, ann, ann_in, 2,
                                      "a stream joins a room with its first message there");
                      ExpectDelivered(ctx, bob, ann_in, 2, kOthersHint);
                    }});
  checks.push_back({"chat.one-stream-joins-several-rooms", "H2",
                    "One stream joins several rooms and stays in each", [](CheckContext& ctx) {
                      const std::string north = ctx.UniqueRoom();
                      const std::string south = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann");
                      ChatCall bob(ctx, "bob");
                      ChatCall cy(ctx, "cy");
                      for (const std::string& room : {north, south}) {
                        const v1::Message m = Msg(room, "ann", "ann joins " + room);
                        ann.Write(m);
                        ExpectDelivered(ctx, ann, m, 1, kEchoHint);
                      }
                      const v1::Message bob_in = Msg(north, "bob", "bob joins the north");
                      bob.Write(bob_in);
                      ExpectDelivered(ctx, bob, bob_in, 2, kEchoHint);
                      ExpectDelivered(ctx, ann, bob_in, 2,
                                      "a stream stays in every room it joined; joining a "
                                      "second room does not leave the first");
                      const v1::Message cy_in = Msg(south, "cy", "cy joins the south");
                      cy.Write(cy_in);
                      ExpectDelivered(ctx, cy, cy_in, 2, kEchoHint);
                      ExpectDelivered(ctx, ann, cy_in, 2,
                                      "one stream may be a member of several rooms at once");
                      const v1::Message bob_again = Msg(north, "bob", "north again");
                      bob.Write(bob_again);
                      ExpectDelivered(ctx, bob, bob_again, 3, kEchoHint);
                      ExpectDelivered(ctx, ann, bob_again, 3, kOthersHint);
                    }});
}

void AddDeliveryChecks(std::vector<CheckDef>& checks) {
  checks.push_back({"chat.echoes-to-sender", "H3",
                    "Chat echoes a message to its sender, unchanged, with seq "
                    "1 in a new room",
                    [](CheckContext& ctx) {
                      ChatCall call(ctx, "stream");
                      const v1::Message message =
                          Msg(ctx.UniqueRoom(), "Zoë ✓", "hello, room  (two spaces, ünïcode)");
                      call.Write(message);
                      ExpectDelivered(ctx, call, message, 1, kEchoHint);
                    }});
  checks.push_back(
      {"chat.numbers-messages-per-room", "H3",
       "Chat numbers messages per room from 1 and ignores a seq set by the "
       "client",
       [](CheckContext& ctx) {
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
       }});
  checks.push_back({"chat.delivers-to-every-member-in-order", "H3",
                    "Chat delivers each message, unchanged, to every member, the sender "
                    "included",
                    [](CheckContext& ctx) {
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
                          ExpectDelivered(ctx, *members[i], m, seq,
                                          i == from ? kEchoHint : kOthersHint);
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
                    }});
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
                      ann.Write(ann_in);
                      ExpectDelivered(ctx, ann, ann_in, 1, kEchoHint);
                      const v1::Message bob_in = Msg(room, "bob", "hello from UserService");
                      bob.Write(bob_in);
                      ExpectDelivered(ctx, bob, bob_in, 2,
                                      "UserService.Chat is the same chat as ChatService.Chat, "
                                      "echo included",
                                      kShareHint);
                      ExpectDelivered(ctx, ann, bob_in, 2, kShareHint);
                      const v1::Message ann_again = Msg(room, "ann", "welcome, bob");
                      ann.Write(ann_again);
                      ExpectDelivered(ctx, ann, ann_again, 3, kEchoHint);
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
                        ann.Write(m);
                        ExpectDelivered(ctx, ann, m, i, kEchoHint);
                      }
                      const v1::Message bob_in = Msg(room, "bob", "bob joins");
                      bob.Write(bob_in);
                      ExpectDelivered(ctx, bob, bob_in, 4,
                                      "a stream starts at the message with which it joined; "
                                      "do not replay the room's history to it");
                      ExpectDelivered(ctx, ann, bob_in, 4, kOthersHint);
                      for (int i = 5; i <= 6; ++i) {
                        const v1::Message m = Msg(room, "ann", absl::StrCat("after bob ", i));
                        ann.Write(m);
                        ExpectDelivered(ctx, ann, m, i, kEchoHint);
                        ExpectDelivered(ctx, bob, m, i, kOthersHint);
                      }
                    }});
  checks.push_back(
      {"chat.concurrent-senders-keep-one-order", "H4",
       "Two members posting at once both see every message, in one gap-free "
       "seq order",
       [](CheckContext& ctx) {
         constexpr int kEach = 150;
         // Each member gets both senders' messages.
         constexpr std::size_t kTotal = 2 * kEach;
         const std::string room = ctx.UniqueRoom();
         ChatCall ann(ctx, "ann");
         ChatCall bob(ctx, "bob");
         const v1::Message ann_in = Msg(room, "ann", "ann joins");
         ann.Write(ann_in);
         ExpectDelivered(ctx, ann, ann_in, 1, kEchoHint);
         const v1::Message bob_in = Msg(room, "bob", "bob joins");
         bob.Write(bob_in);
         ExpectDelivered(ctx, bob, bob_in, 2, kEchoHint);
         ExpectDelivered(ctx, ann, bob_in, 2, kOthersHint);

         ann.set_quiet(true);
         bob.set_quiet(true);
         ctx.Sent(absl::StrCat("ann and bob <- ", kEach,
                               " messages each, at the same time, texts \"ann "
                               "1\"..., \"bob 1\"..."));
         std::vector<v1::Message> got_ann, got_bob;
         auto reader = [](ChatCall& call, std::vector<v1::Message>& got) {
           return [&call, &got] {
             v1::Message m;
             while (got.size() < kTotal && call.stream().Read(&m)) {
               got.push_back(m);
             }
           };
         };
         auto writer = [&room](ChatCall& call, const std::string& who) {
           return [&call, &room, who] {
             for (int i = 1; i <= kEach; ++i) {
               const v1::Message m = Msg(room, who, absl::StrCat(who, " ", i));
               if (!call.stream().Write(m)) return;
             }
           };
         };
         {
           CallThread read_ann(ann, reader(ann, got_ann));
           CallThread read_bob(bob, reader(bob, got_bob));
           CallThread write_ann(ann, writer(ann, "ann"));
           CallThread write_bob(bob, writer(bob, "bob"));
           write_ann.Join();
           write_bob.Join();
           read_ann.Join();
           read_bob.Join();
         }
         const std::vector<v1::Message>* reference = nullptr;
         const std::pair<ChatCall*, const std::vector<v1::Message>*> seen_by[] = {{&ann, &got_ann},
                                                                                  {&bob, &got_bob}};
         for (const auto& [call, got] : seen_by) {
           ctx.Received(absl::StrCat(
               call->name(), " -> ", got->size(), " messages",
               got->empty() ? ""
                            : absl::StrCat(", seq ", got->front().seq(), "..", got->back().seq())));
           if (got->size() < kTotal) {
             const grpc::Status status = call->Finish();
             ctx.Fail(absl::StrCat(call->name(), " got ", got->size(), " of the ", kTotal,
                                   " messages posted after it joined, then ", call->Ended(status)),
                      absl::StrCat("all ", kTotal, " messages"), kOthersHint);
           }
           std::map<std::string, int> seen;
           for (std::size_t i = 0; i < got->size(); ++i) {
             const v1::Message& m = (*got)[i];
             const std::int64_t want = 3 + static_cast<std::int64_t>(i);
             if (m.seq() != want) {
               ctx.Fail(absl::StrCat(call->name(), "'s message ", i + 1, " after the joins, ",
                                     Describe(m), ", has seq ", m.seq(), ", want ", want),
                        "seq increasing by one, no gaps, no repeats",
                        "take the seq and queue the message for every member in "
                        "one step (under one lock), so no two messages get the "
                        "same seq or overtake each other");
             }
             if (++seen[m.text()] > 1 || m.room() != room) {
               ctx.Fail(
                   absl::StrCat(call->name(), " got ", Describe(m), " twice, or from another room"),
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
           reference = got;
         }
       }});
}

void AddHalfCloseChecks(std::vector<CheckDef>& checks) {
  checks.push_back(
      {"chat.half-close-ends-ok-after-echoes", "H5",
       "After the client half-closes, Chat delivers the pending echoes and "
       "ends OK",
       [](CheckContext& ctx) {
         // About 400 KB of echoes: more than the client's window takes, so
         // most of them still wait on the server when the half-close
         // arrives, and far fewer than the 1,024 messages of H6.
         constexpr int kCount = 100;
         const std::string room = ctx.UniqueRoom();
         auto stub = SmallWindowStub(ctx);
         ChatCall call(ctx, "stream", *stub, kCallDeadline);
         call.set_quiet(true);
         std::vector<v1::Message> sent;
         for (int i = 1; i <= kCount; ++i) {
           sent.push_back(Msg(room, "ann", Padded(absl::StrCat("goodbye ", i, " "), 4000)));
         }
         for (const v1::Message& message : sent) {
           if (!call.Write(message)) break;  // the reads below say why
         }
         ctx.Sent(absl::StrCat("stream <- ", kCount,
                               " messages of 4,000 bytes, \"goodbye 1 ...\" to "
                               "\"goodbye ",
                               kCount, " ...\", reading nothing"));
         call.HalfClose();
         constexpr char kEchoesHint[] =
             "on half-close, write the echoes still queued before ending the "
             "call (and keep reading the client's messages while its echoes "
             "wait to be written)";
         const v1::Message first = ExpectDelivered(ctx, call, sent[0], std::nullopt, kEchoesHint);
         for (int i = 1; i < kCount; ++i) {
           ExpectDelivered(ctx, call, sent[i], first.seq() + i, kEchoesHint);
         }
         ctx.Received(absl::StrCat("stream -> all ", kCount, " echoes, seq ", first.seq(), "..",
                                   first.seq() + kCount - 1));
         call.set_quiet(false);
         ctx.ExpectCode(call.ExpectEnd(absl::StrCat("the ", kCount, " echoes"),
                                       "after a half-close, send the echoes, then end"),
                        grpc::StatusCode::OK, "the stream after its echoes were delivered",
                        "once the client half-closed and its echoes are written, "
                        "end the call with OK; don't wait for messages that will "
                        "never come");
       }});
  checks.push_back({"chat.half-close-leaves-the-room-to-others", "H5",
                    "A member that half-closes ends OK, and the room goes on for the others",
                    [](CheckContext& ctx) {
                      const std::string room = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann");
                      ChatCall bob(ctx, "bob");
                      const v1::Message ann_in = Msg(room, "ann", "ann joins");
                      ann.Write(ann_in);
                      ExpectDelivered(ctx, ann, ann_in, 1, kEchoHint);
                      const v1::Message bob_bye = Msg(room, "bob", "hello and goodbye");
                      bob.Write(bob_bye);
                      bob.HalfClose();
                      ExpectDelivered(ctx, bob, bob_bye, 2,
                                      "on half-close, write the echoes still queued before "
                                      "ending the call");
                      ExpectDelivered(ctx, ann, bob_bye, 2, kOthersHint);
                      ctx.ExpectCode(bob.ExpectEnd("its echo, with nobody else posting",
                                                   "after a half-close, send the echoes, then end"),
                                     grpc::StatusCode::OK, "bob's stream after his half-close",
                                     "end a half-closed stream with OK once its echoes are "
                                     "written, even while its rooms stay open");
                      for (int i = 3; i <= 4; ++i) {
                        const v1::Message m = Msg(room, "ann", absl::StrCat("still here ", i));
                        ann.Write(m);
                        ExpectDelivered(ctx, ann, m, i,
                                        "a member that leaves must be removed from its rooms; "
                                        "writing to its finished stream must not break the room");
                      }
                    }});
}

// H6 needs the server's own queue for one stream to pass 1,024 messages. The
// slow reader reads through SmallWindowStub, which absorbs a few dozen
// messages of 4,000 bytes, and the active member posts 3,000 of them (about
// 12 MB): far more than the window plus 1,024 messages.
constexpr int kFloodMessages = 3000;
constexpr std::size_t kFloodTextBytes = 4000;
constexpr int kEchoWindow = 16;  // the active member's echoes still unread
constexpr milliseconds kSlowDeadline = seconds(20);

void AddSlowReaderCheck(std::vector<CheckDef>& checks) {
  checks.push_back(
      {"chat.slow-reader-is-dropped-others-go-on", "H6",
       "A member that stops reading is ended with RESOURCE_EXHAUSTED; the room "
       "goes on",
       [](CheckContext& ctx) {
         const std::string room = ctx.UniqueRoom();
         auto slow_stub = SmallWindowStub(ctx);
         ChatCall slow(ctx, "slow reader", *slow_stub, kSlowDeadline);
         ChatCall active(ctx, "active member", Via::kChatService, kSlowDeadline);

         const v1::Message slow_in = Msg(room, "slow", "I join, then stop reading");
         slow.Write(slow_in);
         const std::int64_t first = ExpectDelivered(ctx, slow, slow_in, 1, kEchoHint).seq();
         const v1::Message active_in = Msg(room, "active", "I keep talking");
         active.Write(active_in);
         ExpectDelivered(ctx, active, active_in, first + 1, kEchoHint);

         // The flood, read back as it goes: at most kEchoWindow echoes wait.
         active.set_quiet(true);
         auto text = [](int i) {
           return Padded(absl::StrCat("flood ", absl::Dec(i, absl::kZeroPad4), " "),
                         kFloodTextBytes);
         };
         ctx.Sent(absl::StrCat("active member <- ", kFloodMessages, " messages of ",
                               kFloodTextBytes, " bytes (\"flood 0000 ...\" to \"flood ",
                               kFloodMessages - 1, " ...\"), reading its echoes as they come"));
         ctx.Sent("slow reader: reads nothing meanwhile");
         int echoed = 0;
         auto read_echo = [&] {
           v1::Message m;
           const std::int64_t want = first + 2 + echoed;
           if (!active.Read(&m)) {
             const grpc::Status status = active.Finish();
             if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
               ctx.Fail(absl::StrCat("the server ended the active member's stream with ",
                                     DescribeStatus(status), " after ", echoed, " of its ",
                                     kFloodMessages, " echoes, though it read every one"),
                        "RESOURCE_EXHAUSTED for the stream that stopped reading "
                        "only",
                        absl::StrCat("count what waits for each stream "
                                     "separately: at most ",
                                     kEchoWindow, " echoes ever waited for the active member"));
             }
             ctx.Fail(absl::StrCat("the room stalled: the active member got ", echoed, " of its ",
                                   kFloodMessages,
                                   " echoes while another member was not reading, "
                                   "then ",
                                   active.Ended(status)),
                      "every echo: the other members go on",
                      "a member that stops reading must not block the room: queue "
                      "messages per stream and end a stream whose queue passes "
                      "1,024, instead of waiting for each write in turn");
           }
           if (m.seq() != want || m.text() != text(echoed) || m.room() != room) {
             ctx.Received(absl::StrCat("active member -> ", Describe(m)));
             ctx.Fail(absl::StrCat("the active member's echo number ", echoed + 1,
                                   " of the flood was ", Describe(m)),
                      absl::StrCat("the echo of \"", text(echoed).substr(0, 10), "...\" with seq ",
                                   want),
                      "echo every message, in seq order, with no gaps");
           }
           ++echoed;
         };
         for (int i = 0; i < kFloodMessages; ++i) {
           if (!active.Write(Msg(room, "active", text(i)))) {
             break;  // the server ended the stream: read_echo says how
           }
           if (i + 1 - echoed > kEchoWindow) read_echo();
         }
         while (echoed < kFloodMessages) read_echo();
         ctx.Received(absl::StrCat("active member -> all ", kFloodMessages, " echoes, seq ",
                                   first + 2, "..", first + 1 + kFloodMessages));

         // Now the slow reader drains. Its half-close makes a server without
         // a limit end the call OK after the last message, instead of
         // leaving it open until the deadline.
         slow.HalfClose();
         slow.set_quiet(true);
         std::int64_t next = first + 1;
         v1::Message m;
         while (slow.Read(&m)) {
           if (m.seq() != next) {
             ctx.Received(absl::StrCat("slow reader -> ", Describe(m)));
             ctx.Fail(absl::StrCat("the slow reader's stream jumped from seq ", next - 1, " to ",
                                   m.seq()),
                      "the messages in seq order with no gaps, then "
                      "RESOURCE_EXHAUSTED",
                      "when a stream falls behind, end it as a whole; never skip "
                      "some of its messages and go on");
           }
           ++next;
         }
         const std::int64_t drained = next - (first + 1);
         const std::int64_t posted = kFloodMessages + 1;
         ctx.Received(
             absl::StrCat("slow reader -> ", drained, " messages after its echo",
                          drained > 0 ? absl::StrCat(", seq ", first + 1, "..", next - 1) : ""));
         const grpc::Status status = slow.Finish();
         if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
           return;
         }
         constexpr char kLimitHint[] =
             "keep a queue per stream; when more than 1,024 messages wait for "
             "one stream, end that stream (only that one) with "
             "RESOURCE_EXHAUSTED";
         std::string how = slow.Ended(status);
         if (status.ok()) {
           how = absl::StrCat("it ended OK after ", drained, " of ", posted,
                              " messages when it finally read and half-closed");
         }
         ctx.Fail(absl::StrCat("the slow reader's stream was never ended with "
                               "RESOURCE_EXHAUSTED although ",
                               posted, " messages were posted while it did not read: ", how),
                  "RESOURCE_EXHAUSTED once more than 1,024 messages wait", kLimitHint);
       }});
}

}  // namespace

void AddChatChecks(std::vector<CheckDef>& checks) {
  AddValidationChecks(checks);
  AddRoomChecks(checks);
  AddDeliveryChecks(checks);
  AddOrderChecks(checks);
  AddHalfCloseChecks(checks);
  AddSlowReaderCheck(checks);
}

}  // namespace course::harness
