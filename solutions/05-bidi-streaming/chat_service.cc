// Lesson 05, bidirectional streaming: ChatService.Chat as an echo, solved.
//
// Each stream reads its client's messages and writes each one back with the
// room's next seq, while it keeps reading. Broadcast to other streams is
// lesson 10; UserService.Chat stays with the kit here.
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "kit/kit.h"

namespace {

using course::v1::Message;

constexpr std::size_t kMaxRoomBytes = 64;
constexpr std::size_t kMaxTextBytes = 4096;

// The one piece of state that all streams share: the last seq of each room.
class RoomSeq {
 public:
  // The seq of the room's next message: 1 for its first, then one more.
  std::int64_t Next(const std::string& room) {
    std::lock_guard lock(mu_);
    return ++last_[room];  // a missing room starts at 0
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::int64_t> last_;
};

// One Chat call. gRPC calls the On* reactions on its own threads, and a read
// reaction may run at the same time as a write reaction, so the state the
// two share is guarded by mu_. Calls into gRPC (StartWrite, Finish) happen
// after the lock is released: gRPC may run a reaction from inside them.
class EchoReactor final : public grpc::ServerBidiReactor<Message, Message> {
 public:
  explicit EchoReactor(RoomSeq& seqs) : seqs_(seqs) { StartRead(&incoming_); }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // The client half-closed (or the call broke): nothing more to read.
      // Finish once the echoes still queued are written (H5).
      {
        std::lock_guard lock(mu_);
        input_done_ = true;
      }
      Pump();
      return;
    }
    if (grpc::Status invalid = Check(incoming_); !invalid.ok()) {
      EndWith(std::move(invalid));  // and read no more: the stream is over
      return;
    }
    Message echo = incoming_;
    echo.set_seq(seqs_.Next(echo.room()));  // whatever the client sent is replaced
    {
      std::lock_guard lock(mu_);
      waiting_.push_back(std::move(echo));
    }
    Pump();
    StartRead(&incoming_);  // full duplex: keep reading while echoes wait
  }

  void OnWriteDone(bool ok) override {
    {
      std::lock_guard lock(mu_);
      writing_ = false;
      if (!ok && !end_) end_ = grpc::Status(grpc::StatusCode::CANCELLED, "the client went away");
    }
    Pump();
  }

  void OnCancel() override { EndWith(grpc::Status::CANCELLED); }

  void OnDone() override { delete this; }

 private:
  // H1: a message needs a room of 1..64 bytes and a text of 1..4,096 bytes.
  // size() counts bytes, which is what the contract limits.
  static grpc::Status Check(const Message& message) {
    if (message.room().empty() || message.room().size() > kMaxRoomBytes) {
      return course::kit::InvalidField("room", "room must be 1..64 bytes");
    }
    if (message.text().empty() || message.text().size() > kMaxTextBytes) {
      return course::kit::InvalidField("text", "text must be 1..4096 bytes");
    }
    return grpc::Status::OK;
  }

  // The stream ends with `status` as soon as no write is in flight; what is
  // still queued is dropped. The first end wins.
  void EndWith(grpc::Status status) {
    {
      std::lock_guard lock(mu_);
      if (!end_) end_ = std::move(status);
      waiting_.clear();
    }
    Pump();
  }

  // Starts whatever is due: the next write, or the one Finish. Decides under
  // the lock, acts outside it. At most one write is ever in flight, and
  // Finish never overlaps a write.
  void Pump() {
    std::optional<grpc::Status> finish;
    {
      std::lock_guard lock(mu_);
      if (finished_ || writing_) return;  // OnWriteDone will call Pump again
      if (end_) {
        finish = *end_;
      } else if (!waiting_.empty()) {
        outgoing_ = std::move(waiting_.front());
        waiting_.pop_front();
        writing_ = true;
      } else if (input_done_) {
        finish = grpc::Status::OK;  // every echo is written: H5
      } else {
        return;  // nothing to do until the next read or write completes
      }
      finished_ = finish.has_value();
    }
    if (finish) {
      Finish(std::move(*finish));
    } else {
      StartWrite(&outgoing_);  // outgoing_ must stay untouched until OnWriteDone
    }
  }

  RoomSeq& seqs_;
  Message incoming_;  // filled by StartRead; only touched in OnReadDone

  std::mutex mu_;
  std::deque<Message> waiting_;      // echoes not yet written
  Message outgoing_;                 // the write in flight
  bool writing_ = false;             // a StartWrite has not completed yet
  bool input_done_ = false;          // the client half-closed
  bool finished_ = false;            // Finish was called
  std::optional<grpc::Status> end_;  // end early with this (error, cancel)
};

class EchoChat final : public course::kit::ChatServiceBase {
 public:
  using ChatServiceBase::ChatServiceBase;

  grpc::ServerBidiReactor<Message, Message>* Chat(
      grpc::CallbackServerContext* /*context*/) override {
    // The reactor deletes itself in OnDone.
    return new EchoReactor(seqs_);
  }

 private:
  RoomSeq seqs_;  // outlives every reactor: the server ends before the service
};

}  // namespace

// UserService.Chat stays with the kit (the reference): sharing rooms between
// the two services is lesson 10.
int main(int argc, char** argv) {
  return course::kit::Main<course::kit::UserServiceBase, EchoChat>(argc, argv);
}
