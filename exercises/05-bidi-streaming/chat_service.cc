// Lesson 05, bidirectional streaming: write ChatService.Chat as an echo.
//
// Read lessons/05-bidi-streaming/README.md first. Check your work with
//   ./course check 05
// Every other RPC (UserService.Chat included) is served for you by the kit.
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
    // TODO(task 2): keep one counter per room in a map, under mu_, and
    //               return the room's counter after adding one.
    (void)room;
    return 0;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::int64_t> last_;
};

// One Chat call. gRPC calls the On* reactions on its own threads; a read
// reaction may run at the same time as a write reaction.
class EchoReactor final : public grpc::ServerBidiReactor<Message, Message> {
 public:
  explicit EchoReactor(RoomSeq& seqs) : seqs_(seqs) {
    // TODO(task 1): start reading the client's messages instead of ending the
    //               call here.
    Finish(course::kit::UnimplementedStatus("TODO(task 1): ChatService.Chat"));
  }

  void OnReadDone(bool ok) override {
    // TODO(task 1): ok == false means the client half-closed; otherwise
    //               incoming_ holds a message. Check() it: an invalid message
    //               ends the stream (EndWith) and nothing more is read.
    // TODO(task 2): queue a copy of the message with seq from seqs_.Next(),
    //               Pump(), then StartRead(&incoming_) again.
    // TODO(task 3): on ok == false, remember that input is done and Pump().
    (void)ok;
  }

  void OnWriteDone(bool ok) override {
    // TODO(task 2): the write in flight is over: clear writing_ (when !ok,
    //               end with CANCELLED) and Pump() for the next one.
    (void)ok;
  }

  void OnCancel() override {
    // TODO(task 3): the client is gone: EndWith(grpc::Status::CANCELLED).
  }

  void OnDone() override { delete this; }  // the last reaction of every call

 private:
  // H1: a message needs a room of 1..64 bytes and a text of 1..4,096 bytes.
  static grpc::Status Check(const Message& message) {
    // TODO(task 1): return course::kit::InvalidField("room", ...) or
    //               InvalidField("text", ...) when a limit is broken.
    (void)message;
    return grpc::Status::OK;
  }

  // Ends the stream with `status` once no write is in flight.
  void EndWith(grpc::Status status) {
    // TODO(task 1): under mu_, remember the status (the first one wins) and
    //               drop the waiting echoes; then Pump().
    (void)status;
  }

  // Starts whatever is due: the next write, or the one Finish. Decide under
  // mu_, then call StartWrite/Finish with the lock released (gRPC may run a
  // reaction from inside them).
  void Pump() {
    // TODO(task 2): if nothing is being written, move the first waiting echo
    //               into outgoing_, set writing_ and StartWrite(&outgoing_).
    // TODO(task 1): ...unless end_ is set: then Finish(*end_), exactly once.
    // TODO(task 3): with nothing waiting and input_done_, Finish(OK).
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
    return new EchoReactor(seqs_);  // it deletes itself in OnDone
  }

 private:
  RoomSeq seqs_;
};

}  // namespace

int main(int argc, char** argv) {
  return course::kit::Main<course::kit::UserServiceBase, EchoChat>(argc, argv);
}
