// Lesson 05a, task 4: a bidirectional stream, both directions at once.
//
// Your Chat talks to the reference's chat, and to echo servers with habits
// a client must live with: one answers only after your half-close (a client
// that waits for an answer before writing the next message waits for
// ever), one reads your next message only once you have read its last echo
// (a client that writes everything before reading anything fills HTTP/2's
// flow-control windows and waits for ever), and one closes the room after
// three echoes. "For ever" here ends at the deadline, as a failure.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clients.h"
#include "test_servers.h"

namespace {

using course::lesson05a::CallOptions;
using course::lesson05a::Chat;
using course::lesson05a::ChatLog;
using course::v1::Message;
using namespace course::lesson05a::testing;

enum class Style {
  kLockstep,        // read one, write its echo, wait until written, read the next
  kAfterHalfClose,  // read everything, then write every echo
};

// Echoes every message with seq 1, 2, ...; with `close_after` > 0 it ends
// the call with ABORTED once it has written that many echoes.
class EchoChat final : public course::v1::ChatService::CallbackService {
 public:
  EchoChat(Style style, int close_after) : style_(style), close_after_(close_after) {}

  grpc::ServerBidiReactor<Message, Message>* Chat(grpc::CallbackServerContext* context) override {
    seen_.Record(*context);
    return new Session(style_, close_after_);
  }
  const DeadlineSeen& seen() const { return seen_; }

 private:
  // Exactly one operation (a read or a write) is in flight at any time, so
  // the reactions never overlap and need no lock.
  class Session final : public grpc::ServerBidiReactor<Message, Message> {
   public:
    Session(Style style, int close_after) : style_(style), close_after_(close_after) {
      StartRead(&incoming_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {  // the half-close (or the call's end)
        if (style_ == Style::kLockstep) {
          Finish(grpc::Status::OK);
        } else {
          WriteNextHeld();
        }
        return;
      }
      Message echo = incoming_;
      echo.set_seq(++seq_);
      if (style_ == Style::kLockstep) {
        outgoing_ = std::move(echo);
        StartWrite(&outgoing_);
      } else {
        held_.push_back(std::move(echo));
        StartRead(&incoming_);
      }
    }
    void OnWriteDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::CANCELLED);
      } else if (++written_ == close_after_) {
        Finish(grpc::Status(grpc::StatusCode::ABORTED,
                            "room closed after " + std::to_string(written_) + " messages"));
      } else if (style_ == Style::kLockstep) {
        StartRead(&incoming_);
      } else {
        WriteNextHeld();
      }
    }
    void OnDone() override { delete this; }

   private:
    void WriteNextHeld() {
      if (written_ == static_cast<int>(held_.size())) {
        Finish(grpc::Status::OK);
        return;
      }
      outgoing_ = held_[written_];
      StartWrite(&outgoing_);
    }

    const Style style_;
    const int close_after_;
    Message incoming_, outgoing_;
    std::vector<Message> held_;
    int seq_ = 0;
    int written_ = 0;
  };

  const Style style_;
  const int close_after_;
  DeadlineSeen seen_;
};

// `count` messages to room "lobby", each `size` bytes of text.
std::vector<Message> Messages(int count, std::size_t size) {
  std::vector<Message> messages;
  for (int i = 1; i <= count; ++i) {
    Message message;
    message.set_room("lobby");
    message.set_sender("you");
    std::string text = "message " + std::to_string(i) + " ";
    text.resize(std::max(size, text.size()), '.');
    message.set_text(text);
    messages.push_back(std::move(message));
  }
  return messages;
}

// The first `count` of `sent` came back, in order, numbered 1..count.
void ExpectEchoes(const ChatLog& log, const std::vector<Message>& sent, int count) {
  ASSERT_EQ(log.received.size(), static_cast<std::size_t>(count))
      << "expected " << count << " echoes, you report " << log.received.size()
      << " (and the status " << DescribeStatus(log.status) << ")";
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(log.received[i].seq(), i + 1) << "received[" << i << "]";
    EXPECT_EQ(log.received[i].text(), sent[i].text()) << "received[" << i << "]";
  }
}

// Runs Chat against `service` with `messages`; checks the deadline it set.
ChatLog ChatWith(EchoChat& service, const std::vector<Message>& messages, milliseconds timeout) {
  LoopbackServer server(&service);
  EXPECT_TRUE(server.started());
  auto stub = course::v1::ChatService::NewStub(server.Channel());
  ChatLog log = Chat(*stub, messages, CallOptions{timeout});
  ExpectDeadline(service.seen(), timeout);
  return log;
}

TEST(BidiClient, ChatsWithTheReference) {
  auto reference = Reference(0);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::ChatService::NewStub(reference->Channel());
  const std::vector<Message> messages = Messages(20, 10);

  const ChatLog log = Chat(*stub, messages, CallOptions{milliseconds(5000)});

  EXPECT_TRUE(log.status.ok()) << "20 messages to the reference's chat, then your half-close: "
                               << "you report " << DescribeStatus(log.status);
  EXPECT_EQ(log.sent, 20);
  ExpectEchoes(log, messages, 20);
  if (!log.received.empty()) {
    EXPECT_EQ(log.received[0].sender(), "you");
  }
}

TEST(BidiClient, KeepsWritingWhenTheServerAnswersOnlyAfterTheHalfClose) {
  EchoChat service(Style::kAfterHalfClose, 0);
  const std::vector<Message> messages = Messages(5, 10);

  const ChatLog log = ChatWith(service, messages, milliseconds(3000));

  EXPECT_TRUE(log.status.ok())
      << "this server echoes nothing until you half-close; a client that waits for an echo "
      << "before its next write waits until the deadline. You report "
      << DescribeStatus(log.status);
  EXPECT_EQ(log.sent, 5);
  ExpectEchoes(log, messages, 5);
}

TEST(BidiClient, ReadsWhileWritingWhenTheServerGoesInLockstep) {
  EchoChat service(Style::kLockstep, 0);
  // 2.4 MB each way: far more than HTTP/2's windows hold unread.
  const std::vector<Message> messages = Messages(600, 4000);

  const ChatLog log = ChatWith(service, messages, milliseconds(5000));

  EXPECT_TRUE(log.status.ok())
      << "this server reads your next message only once its last echo is written, and an echo "
      << "is written only as fast as you read: a client that writes all 600 messages (4 KB each) "
      << "before reading stalls once the flow-control windows fill. You report "
      << DescribeStatus(log.status);
  EXPECT_EQ(log.sent, 600);
  ExpectEchoes(log, messages, 600);
}

TEST(BidiClient, ReportsWhatCameBeforeTheServerEndedTheCall) {
  EchoChat service(Style::kLockstep, 3);
  const std::vector<Message> messages = Messages(10, 10);

  const ChatLog log = ChatWith(service, messages, milliseconds(3000));

  EXPECT_EQ(log.status.error_code(), grpc::StatusCode::ABORTED)
      << "the server echoed 3 messages, then ended the call with ABORTED; you report "
      << DescribeStatus(log.status);
  EXPECT_EQ(log.status.error_message(), "room closed after 3 messages")
      << "report the server's message";
  ExpectEchoes(log, messages, 3);
}

}  // namespace
