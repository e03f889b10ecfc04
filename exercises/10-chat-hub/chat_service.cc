// Lesson 10, the chat hub: the reactor, both Chat services and main.
//
// Read lessons/10-chat-hub/README.md first. Check your work with
//   ./course check 10
// Every Chat stream, whichever service it came through, is a ChatStream that
// posts what it reads into one shared Hub and writes what its Outbox holds.
// The rest is in hub.h (the design) and hub.cc (the TODOs of the hub).
#include <memory>
#include <utility>

#include "hub.h"
#include "kit/kit.h"

namespace {

using chat::Hub;
using chat::Message;
using chat::Outbox;

// One Chat call. Reading happens here; writing belongs to the Outbox, which
// other streams' posts also feed.
class ChatStream final : public chat::ChatReactor {
 public:
  explicit ChatStream(Hub& hub) : hub_(hub), outbox_(std::make_shared<Outbox>(this)) {
    // TODO(task 1): StartRead(&incoming_) instead of ending the call here.
    Finish(course::kit::UnimplementedStatus("TODO(task 1): ChatService.Chat"));
  }

  void OnReadDone(bool ok) override {
    // TODO(task 1): with ok, Check() the message: an invalid one ends this
    //               stream (outbox_->EndWith) and nothing more is read; a
    //               valid one goes to hub_.Post(outbox_, incoming_), and then
    //               StartRead(&incoming_) again.
    // TODO(task 5): !ok is the half-close: leave the hub, then
    //               outbox_->InputDone(). An invalid message leaves too.
    // TODO(task 6): after Post, if outbox_->Ending() (dropped as a slow
    //               reader), leave the hub and read no more.
    (void)ok;
  }

  void OnWriteDone(bool ok) override {
    // TODO(task 1): outbox_->WriteDone(ok).
    (void)ok;
  }

  void OnCancel() override {
    // TODO(task 5): leave the hub and end the outbox with CANCELLED.
  }

  void OnDone() override {
    // TODO(task 5): leave the hub and Detach the outbox first: the hub (or a
    //               Post in progress) may hold the outbox a little longer.
    delete this;
  }

 private:
  // H1: a room of 1..64 bytes and a text of 1..4,096 bytes; any sender.
  static grpc::Status Check(const Message& message) {
    // TODO(task 1): course::kit::InvalidField("room" or "text", ...) when a
    //               limit is broken (count bytes: size()).
    (void)message;
    return grpc::Status::OK;
  }

  Hub& hub_;
  std::shared_ptr<Outbox> outbox_;  // shared with the rooms it joins
  Message incoming_;                // filled by StartRead
};

// Both services take the same Hub: H3 says they share one set of rooms.
class HubChat final : public course::kit::ChatServiceBase {
 public:
  HubChat(course::kit::Context& context, Hub& hub) : ChatServiceBase(context), hub_(hub) {}

  chat::ChatReactor* Chat(grpc::CallbackServerContext* /*context*/) override {
    return new ChatStream(hub_);  // deletes itself in OnDone
  }

 private:
  Hub& hub_;
};

class HubUsers final : public course::kit::UserServiceBase {
 public:
  HubUsers(course::kit::Context& context, Hub& hub) : UserServiceBase(context), hub_(hub) {}

  // TODO(task 3): override Chat here too, returning a ChatStream on the same
  //               hub_; until then UserService.Chat is the kit's, with rooms
  //               of its own.

 private:
  Hub& hub_;
};

}  // namespace

// kit::Main builds each service from the Context alone; this main does the
// same steps by hand so that both services get the one Hub, which is declared
// first and so outlives the services, the server and every call.
int main(int argc, char** argv) {
  course::kit::Context context;
  course::kit::Flags flags;
  if (int code = course::kit::ParseFlags(argc, argv, context, flags); code >= 0) return code;
  Hub hub;
  HubUsers user_service(context, hub);
  HubChat chat_service(context, hub);
  return course::kit::Serve(argv[0], context, flags, user_service, chat_service, {});
}
