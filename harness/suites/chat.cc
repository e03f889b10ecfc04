// Chat: the bidirectional stream of ChatService and UserService (H1-H6).
//
// Every check makes its own rooms with ctx.UniqueRoom(), so a room's first
// message is the check's own and gets seq 1. Every read is bounded by its
// call's deadline: a server that forgets to deliver makes a check fail, never
// hang. Streams still open when a check ends (or fails) are cancelled.
//
// This file holds the checks of validation (H1) and rooms (H2); delivery and
// order (H3, H4) are in chat_delivery.cc, half-close and the slow reader (H5,
// H6) in chat_flow.cc, the tools they share in chat_call.cc.
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "core/describe.h"
#include "suites/chat_parts.h"

namespace course::harness {
namespace chat_suite {
namespace {

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

// Sends a valid `message` as a stream's first and expects its echo with
// seq 1; `rejected_hint` is for a server that ends the stream instead.
void ExpectAccepted(CheckContext& ctx, const v1::Message& message,
                    const std::string& rejected_hint) {
  ChatCall call(ctx, "stream");
  call.Write(message);
  ExpectDelivered(ctx, call, message, 1, kEchoHint, kSeqHint, rejected_hint);
}

}  // namespace

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
                      ExpectAccepted(ctx, Msg(RoomOfLength(ctx, 64), "ann", std::string(4096, 't')),
                                     "the limits are inclusive: 64 bytes of room and 4,096 "
                                     "bytes of text are allowed (`>`, not `>=`)");
                    }});
  checks.push_back({"chat.accepts-empty-sender", "H1",
                    "Chat accepts and delivers a message whose sender is empty",
                    [](CheckContext& ctx) {
                      ExpectAccepted(ctx, Msg(ctx.UniqueRoom(), "", "who said that?"),
                                     "only room and text are required; `sender` is free "
                                     "text and may be empty");
                    }});
  checks.push_back({"chat.invalid-message-ends-only-that-stream", "H1",
                    "An invalid message ends its own stream; the room goes on without a gap",
                    [](CheckContext& ctx) {
                      const std::string room = ctx.UniqueRoom();
                      ChatCall ann(ctx, "ann");
                      ChatCall bob(ctx, "bob");
                      JoinAnnThenBob(ctx, room, ann, bob, "hello", "hi ann");
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
                      PostAndExpectEcho(ctx, bob, bob_in, 1);
                      for (int i = 1; i <= 2; ++i) {
                        const v1::Message m = Msg(lobby, "ann", absl::StrCat("lobby ", i));
                        PostAndExpectEcho(ctx, ann, m, i);
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
                        PostAndExpectEcho(ctx, ann, m, 1);
                      }
                      const v1::Message bob_in = Msg(north, "bob", "bob joins the north");
                      PostAndExpectEcho(ctx, bob, bob_in, 2);
                      ExpectDelivered(ctx, ann, bob_in, 2,
                                      "a stream stays in every room it joined; joining a "
                                      "second room does not leave the first");
                      const v1::Message cy_in = Msg(south, "cy", "cy joins the south");
                      PostAndExpectEcho(ctx, cy, cy_in, 2);
                      ExpectDelivered(ctx, ann, cy_in, 2,
                                      "one stream may be a member of several rooms at once");
                      const v1::Message bob_again = Msg(north, "bob", "north again");
                      PostAndExpectEcho(ctx, bob, bob_again, 3);
                      ExpectDelivered(ctx, ann, bob_again, 3, kOthersHint);
                    }});
}

}  // namespace chat_suite

void AddChatChecks(std::vector<CheckDef>& checks) {
  chat_suite::AddValidationChecks(checks);
  chat_suite::AddRoomChecks(checks);
  chat_suite::AddDeliveryChecks(checks);
  chat_suite::AddOrderChecks(checks);
  chat_suite::AddHalfCloseChecks(checks);
  chat_suite::AddSlowReaderCheck(checks);
}

}  // namespace course::harness
