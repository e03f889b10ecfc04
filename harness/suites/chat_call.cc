// The Chat suite's shared tools (chat_parts.h).
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "core/check.h"
#include "core/describe.h"
#include "suites/chat_parts.h"

namespace course::harness::chat_suite {
namespace {

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

}  // namespace

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

std::unique_ptr<v1::ChatService::Stub> SmallWindowStub(CheckContext& ctx) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_HTTP2_BDP_PROBE, 0);
  args.SetInt(GRPC_ARG_HTTP2_STREAM_LOOKAHEAD_BYTES, 65535);
  return v1::ChatService::NewStub(ctx.target().NewChannel(args));
}

v1::Message ExpectDelivered(CheckContext& ctx, ChatCall& call, const v1::Message& sent,
                            std::optional<std::int64_t> seq, const std::string& missing_hint,
                            const std::string& seq_hint, const std::string& rejected_hint) {
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

v1::Message PostAndExpectEcho(CheckContext& ctx, ChatCall& from, const v1::Message& message,
                              std::int64_t seq, const std::string& echo_hint) {
  from.Write(message);
  return ExpectDelivered(ctx, from, message, seq, echo_hint);
}

void JoinAnnThenBob(CheckContext& ctx, const std::string& room, ChatCall& ann, ChatCall& bob,
                    const std::string& ann_text, const std::string& bob_text) {
  PostAndExpectEcho(ctx, ann, Msg(room, "ann", ann_text), 1);
  const v1::Message bob_in = Msg(room, "bob", bob_text);
  PostAndExpectEcho(ctx, bob, bob_in, 2);
  ExpectDelivered(ctx, ann, bob_in, 2, kOthersHint);
}

}  // namespace course::harness::chat_suite
