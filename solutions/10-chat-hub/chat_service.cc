// Lesson 10, the chat hub: the reactor, both Chat services and main, solved.
//
// Every Chat stream, whichever service it came through, is a ChatStream that
// posts what it reads into one shared Hub and writes what its Outbox holds.
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
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // Half-close (or a broken call). Leave the rooms first, so no new
      // messages arrive, then end OK once the queued ones are written (H5).
      hub_.Leave(outbox_.get());
      outbox_->InputDone();
      return;
    }
    if (grpc::Status invalid = Check(incoming_); !invalid.ok()) {
      hub_.Leave(outbox_.get());  // H1: only this stream ends; its rooms go on
      outbox_->EndWith(std::move(invalid));
      return;
    }
    hub_.Post(outbox_, incoming_);
    if (outbox_->Ending()) {
      // Dropped as a slow reader (H6) or cancelled meanwhile: read no more.
      hub_.Leave(outbox_.get());
      return;
    }
    StartRead(&incoming_);
  }

  void OnWriteDone(bool ok) override { outbox_->WriteDone(ok); }

  void OnCancel() override {
    hub_.Leave(outbox_.get());
    outbox_->EndWith(grpc::Status::CANCELLED);
  }

  void OnDone() override {
    // The hub may still hold the outbox for a moment (a Post that copied the
    // room's members); Detach makes sure it never touches this reactor again.
    hub_.Leave(outbox_.get());
    outbox_->Detach();
    delete this;
  }

 private:
  // H1: a room of 1..64 bytes and a text of 1..4,096 bytes; any sender.
  static grpc::Status Check(const Message& message) {
    if (message.room().empty() || message.room().size() > 64) {
      return course::kit::InvalidField("room", "room must be 1..64 bytes");
    }
    if (message.text().empty() || message.text().size() > 4096) {
      return course::kit::InvalidField("text", "text must be 1..4096 bytes");
    }
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

  chat::ChatReactor* Chat(grpc::CallbackServerContext* /*context*/) override {
    return new ChatStream(hub_);
  }

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
