// Chat flow (H5, H6): a half-close drains the pending echoes and ends OK,
// and a member that stops reading is ended with RESOURCE_EXHAUSTED while the
// room goes on.
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
         ChatCall call(ctx, "stream", *stub, ChatDeadline(ctx));
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
                      PostAndExpectEcho(ctx, ann, ann_in, 1);
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

namespace {

// H6 needs the server's own queue for one stream to pass 1,024 messages. The
// slow reader reads through SmallWindowStub, which absorbs a few dozen
// messages of 4,000 bytes, and the active member posts 3,000 of them (about
// 12 MB): far more than the window plus 1,024 messages.
constexpr int kFloodMessages = 3000;
constexpr std::size_t kFloodTextBytes = 4000;
constexpr int kEchoWindow = 16;  // the active member's echoes still unread
// The flood is about 12 MB each way, many messages in one call: four times
// the run's deadline for one call (20 s with the default 5 s).
milliseconds SlowDeadline(const CheckContext& ctx) { return 4 * ctx.rpc_deadline(); }

std::string FloodText(int i) {
  return Padded(absl::StrCat("flood ", absl::Dec(i, absl::kZeroPad4), " "), kFloodTextBytes);
}

// Reads the active member's next echo of the flood, number `echoed`, and
// counts it; fails when it does not come or is not the one due.
void ReadFloodEcho(CheckContext& ctx, ChatCall& active, const std::string& room, std::int64_t first,
                   int& echoed) {
  v1::Message m;
  const std::int64_t want = first + 2 + echoed;
  if (!active.Read(&m)) {
    const grpc::Status status = active.Finish();
    if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ctx.Fail(absl::StrCat("the server ended the active member's stream with ",
                            DescribeStatus(status), " after ", echoed, " of its ", kFloodMessages,
                            " echoes, though it read every one"),
               "RESOURCE_EXHAUSTED for the stream that stopped reading "
               "only",
               absl::StrCat("count what waits for each stream "
                            "separately: at most ",
                            kEchoWindow, " echoes ever waited for the active member"));
    }
    ctx.Fail(
        absl::StrCat("the room stalled: the active member got ", echoed, " of its ", kFloodMessages,
                     " echoes while another member was not reading, "
                     "then ",
                     active.Ended(status)),
        "every echo: the other members go on",
        "a member that stops reading must not block the room: queue "
        "messages per stream and end a stream whose queue passes "
        "1,024, instead of waiting for each write in turn");
  }
  if (m.seq() != want || m.text() != FloodText(echoed) || m.room() != room) {
    ctx.Received(absl::StrCat("active member -> ", Describe(m)));
    ctx.Fail(
        absl::StrCat("the active member's echo number ", echoed + 1, " of the flood was ",
                     Describe(m)),
        absl::StrCat("the echo of \"", FloodText(echoed).substr(0, 10), "...\" with seq ", want),
        "echo every message, in seq order, with no gaps");
  }
  ++echoed;
}

// The flood, read back as it goes: at most kEchoWindow echoes wait.
void Flood(CheckContext& ctx, ChatCall& active, const std::string& room, std::int64_t first) {
  active.set_quiet(true);
  ctx.Sent(absl::StrCat("active member <- ", kFloodMessages, " messages of ", kFloodTextBytes,
                        " bytes (\"flood 0000 ...\" to \"flood ", kFloodMessages - 1,
                        " ...\"), reading its echoes as they come"));
  ctx.Sent("slow reader: reads nothing meanwhile");
  int echoed = 0;
  for (int i = 0; i < kFloodMessages; ++i) {
    if (!active.Write(Msg(room, "active", FloodText(i)))) {
      break;  // the server ended the stream: ReadFloodEcho says how
    }
    if (i + 1 - echoed > kEchoWindow) ReadFloodEcho(ctx, active, room, first, echoed);
  }
  while (echoed < kFloodMessages) ReadFloodEcho(ctx, active, room, first, echoed);
  ctx.Received(absl::StrCat("active member -> all ", kFloodMessages, " echoes, seq ", first + 2,
                            "..", first + 1 + kFloodMessages));
}

// Now the slow reader drains. Its half-close makes a server without a limit
// end the call OK after the last message, instead of leaving it open until
// the deadline. Passes only when the stream ends RESOURCE_EXHAUSTED.
void ExpectSlowReaderDropped(CheckContext& ctx, ChatCall& slow, std::int64_t first) {
  slow.HalfClose();
  slow.set_quiet(true);
  std::int64_t next = first + 1;
  v1::Message m;
  while (slow.Read(&m)) {
    if (m.seq() != next) {
      ctx.Received(absl::StrCat("slow reader -> ", Describe(m)));
      ctx.Fail(absl::StrCat("the slow reader's stream jumped from seq ", next - 1, " to ", m.seq()),
               "the messages in seq order with no gaps, then "
               "RESOURCE_EXHAUSTED",
               "when a stream falls behind, end it as a whole; never skip "
               "some of its messages and go on");
    }
    ++next;
  }
  const std::int64_t drained = next - (first + 1);
  const std::int64_t posted = kFloodMessages + 1;
  ctx.Received(absl::StrCat("slow reader -> ", drained, " messages after its echo",
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
}

void SlowReaderIsDropped(CheckContext& ctx) {
  const std::string room = ctx.UniqueRoom();
  auto slow_stub = SmallWindowStub(ctx);
  ChatCall slow(ctx, "slow reader", *slow_stub, SlowDeadline(ctx));
  ChatCall active(ctx, "active member", Via::kChatService, SlowDeadline(ctx));

  const v1::Message slow_in = Msg(room, "slow", "I join, then stop reading");
  const std::int64_t first = PostAndExpectEcho(ctx, slow, slow_in, 1).seq();
  const v1::Message active_in = Msg(room, "active", "I keep talking");
  PostAndExpectEcho(ctx, active, active_in, first + 1);
  Flood(ctx, active, room, first);
  ExpectSlowReaderDropped(ctx, slow, first);
}

}  // namespace

void AddSlowReaderCheck(std::vector<CheckDef>& checks) {
  checks.push_back({"chat.slow-reader-is-dropped-others-go-on", "H6",
                    "A member that stops reading is ended with RESOURCE_EXHAUSTED; the room "
                    "goes on",
                    SlowReaderIsDropped});
}

}  // namespace course::harness::chat_suite
