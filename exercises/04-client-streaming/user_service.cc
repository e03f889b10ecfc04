// Lesson 04, client streaming: write CreateUsers, all or nothing.
//
// Read lessons/04-client-streaming/README.md first. Check your work with
//   ./course check 04
// Everything except CreateUsers is already served for you by the kit, so the
// checks can list and fetch the users you create.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kit/kit.h"

namespace {

using course::v1::CreateUserRequest;
using course::v1::CreateUsersResponse;

// TODO(task 2): why a name breaks C1 ("" when it is fine): empty, or more
//               than 100 bytes. Remove [[maybe_unused]] once you call it.
[[maybe_unused]] std::string NameProblem(std::string_view name) {
  (void)name;
  return "";  // wrong: every name passes
}

// TODO(task 3): why an email breaks C1 ("" when it is fine): more than 254
//               bytes, ASCII whitespace, not exactly one '@', nothing before
//               the '@', or a domain without '.' or starting/ending with '.'.
[[maybe_unused]] std::string EmailProblem(std::string_view email) {
  (void)email;
  return "";  // wrong: every email passes
}

// TODO(task 4): the key emails are unique under (C3): ASCII letters A-Z
//               lower-cased, every other byte unchanged.
[[maybe_unused]] std::string FoldEmail(std::string_view email) {
  return std::string(email);  // wrong: "Ada@x.org" and "ada@x.org" differ
}

// One reactor per CreateUsers call. gRPC calls its On...() methods; you start
// operations (StartRead, Finish) from them.
class CreateUsersReactor final : public grpc::ServerReadReactor<CreateUserRequest> {
 public:
  CreateUsersReactor(grpc::CallbackServerContext* context, course::domain::UserStore& store,
                     const std::string& token, CreateUsersResponse* response)
      : context_(context), store_(store), response_(response) {
    // Given, M2 (lesson 08): the token is checked before any request (C8).
    // Keep these lines first.
    if (grpc::Status auth = course::service::TokenPolicy(token).Check(*context); !auth.ok()) {
      Finish(auth);
      return;
    }
    // TODO(task 1): start reading the requests, one read at a time.
    Finish(course::kit::UnimplementedStatus("TODO(task 1): CreateUsers"));
  }

  // Runs once per StartRead.
  void OnReadDone(bool ok) override {
    // TODO(task 1): when !ok the client has half-closed: store the batch with
    //               store_.InsertAll(batch_) (all or nothing; it may fail with
    //               ALREADY_EXISTS), put the ids into *response_ and Finish OK.
    //               When ok, keep incoming_ in batch_ and StartRead again.
    // TODO(task 2): before keeping a request, check its name (NameProblem):
    //               INVALID_ARGUMENT via course::kit::InvalidField naming
    //               "users[i].name", i = its 0-based position in the stream.
    // TODO(task 3): then its email (EmailProblem), naming "users[i].email".
    // TODO(task 4): then C3: an email used earlier in this stream or by a
    //               stored user (store_.EmailTaken), case-folded, is
    //               ALREADY_EXISTS with the email in the message.
    // TODO(task 5): then C7: a 10,001st request is RESOURCE_EXHAUSTED. And a
    //               cancelled call ends the reads too: when !ok and
    //               context_->IsCancelled(), Finish CANCELLED, store nothing.
    (void)ok;
  }

  // Given: gRPC calls this once, after Finish, when no callback runs any more.
  void OnDone() override { delete this; }

 private:
  [[maybe_unused]] grpc::CallbackServerContext* const context_;
  [[maybe_unused]] course::domain::UserStore& store_;
  [[maybe_unused]] CreateUsersResponse* const response_;  // owned by gRPC
  CreateUserRequest incoming_;                            // filled by each StartRead
  std::vector<course::domain::NewUser> batch_;            // accepted so far
  // TODO(task 4): remember the folded emails of the batch.
};

class ClientStreamingLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerReadReactor<CreateUserRequest>* CreateUsers(grpc::CallbackServerContext* context,
                                                          CreateUsersResponse* response) override {
    // The reactor owns itself from here on and deletes itself in OnDone.
    return new CreateUsersReactor(context, store(), token(), response);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<ClientStreamingLesson>(argc, argv); }
