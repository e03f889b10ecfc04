// The Chat suite's tools, shared by its files (chat.cc, chat_delivery.cc,
// chat_flow.cc): messages, one Chat call with its transcript, a thread bound
// to a call, and the expectation that a message is delivered.
#ifndef COURSE_HARNESS_SUITES_CHAT_PARTS_H_
#define COURSE_HARNESS_SUITES_CHAT_PARTS_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/check.h"

namespace course::harness::chat_suite {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Stream = grpc::ClientReaderWriter<v1::Message, v1::Message>;

// The deadline of one Chat call. A call spans several messages, so it gets
// twice the run's deadline for one call (--rpc-deadline-ms): 10 s with the
// default 5 s, generous on a shared two-core machine and well inside the
// runner's 30 s bound for one check. A conforming server answers in
// milliseconds; a server that never answers costs this much per check.
inline milliseconds ChatDeadline(const CheckContext& ctx) { return 2 * ctx.rpc_deadline(); }

inline constexpr char kSeqHint[] =
    "seq counts per room: 1 for the room's first message, then one more for "
    "each message, whoever sent it";

inline constexpr char kValidHint[] =
    "this message is valid (H1: a room of 1..64 bytes, a text of 1..4,096 "
    "bytes, any sender), so it must not end the stream";
inline constexpr char kErrorHint[] =
    "the server ended the stream with an error in the middle of a valid "
    "conversation; its log should say why";
inline constexpr char kEchoHint[] =
    "broadcast to the other members but forgot the sender's own stream (the "
    "echo), or waited for the client to half-close before answering";
inline constexpr char kOthersHint[] =
    "deliver each message to every stream in the room, not only to the sender";

enum class Via { kChatService, kUserService };

v1::Message Msg(const std::string& room, const std::string& sender, const std::string& text);
bool SameContent(const v1::Message& a, const v1::Message& b);
// `room` made exactly `bytes` long, still unique to this check.
std::string RoomOfLength(CheckContext& ctx, std::size_t bytes);
// `head` padded with dots to exactly `bytes` bytes.
std::string Padded(const std::string& head, std::size_t bytes);

// A client that does not read absorbs what gRPC's HTTP/2 flow-control windows
// let through before anything waits on the server: several MiB once BDP
// probing has grown them. The checks that need messages to wait on the
// server (H5, H6) read through a channel of their own with probing off and a
// 64 KiB window, so a few hundred KB are enough to back up.
std::unique_ptr<v1::ChatService::Stub> SmallWindowStub(CheckContext& ctx);

// One Chat call, with its transcript. Cancelled if it goes out of scope
// unfinished, so a check that fails half-way leaves no stream open.
class ChatCall {
 public:
  // A zero `deadline` stands for ChatDeadline(ctx).
  ChatCall(CheckContext& ctx, std::string name, Via via = Via::kChatService,
           milliseconds deadline = milliseconds(0))
      : ctx_(ctx),
        name_(std::move(name)),
        deadline_(deadline.count() > 0 ? deadline : ChatDeadline(ctx)),
        context_(ctx.NewCall(deadline_)) {
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
      const bool whole_seconds = deadline_.count() % 1000 == 0;
      return absl::StrCat("nothing came within the call's ",
                          whole_seconds ? deadline_.count() / 1000 : deadline_.count(),
                          whole_seconds ? " s" : " ms", " deadline");
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

// Reads the next message of `call` and fails unless it is `sent`, unchanged,
// with `seq` (any seq when nullopt).
v1::Message ExpectDelivered(CheckContext& ctx, ChatCall& call, const v1::Message& sent,
                            std::optional<std::int64_t> seq, const std::string& missing_hint,
                            const std::string& seq_hint = kSeqHint,
                            const std::string& rejected_hint = kValidHint);

// Sends `message` on `from` and expects its echo there with `seq`; returns
// the echo.
v1::Message PostAndExpectEcho(CheckContext& ctx, ChatCall& from, const v1::Message& message,
                              std::int64_t seq, const std::string& echo_hint = kEchoHint);

// ann and bob join `room`, in that order, with the given texts: each gets
// its own echo (seq 1 and 2) and ann gets bob's join.
void JoinAnnThenBob(CheckContext& ctx, const std::string& room, ChatCall& ann, ChatCall& bob,
                    const std::string& ann_text, const std::string& bob_text);

void AddValidationChecks(std::vector<CheckDef>& checks);  // H1, chat.cc
void AddRoomChecks(std::vector<CheckDef>& checks);        // H2, chat.cc
void AddDeliveryChecks(std::vector<CheckDef>& checks);    // H3, chat_delivery.cc
void AddOrderChecks(std::vector<CheckDef>& checks);       // H4, chat_delivery.cc
void AddHalfCloseChecks(std::vector<CheckDef>& checks);   // H5, chat_flow.cc
void AddSlowReaderCheck(std::vector<CheckDef>& checks);   // H6, chat_flow.cc

}  // namespace course::harness::chat_suite

#endif  // COURSE_HARNESS_SUITES_CHAT_PARTS_H_
