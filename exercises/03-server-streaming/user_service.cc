// Lesson 03, server streaming: write ListUsers.
//
// Read lessons/03-server-streaming/README.md first. Check your work with
//   ./course check 03
// Everything except ListUsers is already served for you by the kit, so the
// checks can create users before they list them.
#include <cstdint>
#include <optional>

#include "kit/kit.h"

namespace {

using course::v1::ListUsersRequest;
using course::v1::User;

// One reactor per ListUsers call. gRPC calls its On...() methods; you start
// operations (StartWrite, Finish) from them.
class ListUsersReactor final : public grpc::ServerWriteReactor<User> {
 public:
  ListUsersReactor(const course::domain::UserStore& store, const ListUsersRequest& request)
      : store_(store), request_(request) {
    // TODO(task 1): refuse a bad request before sending any user: a negative
    //               page_size, or an interval_ms outside 0..10000, is
    //               INVALID_ARGUMENT naming that field (L1). (interval_ms needs
    //               no pause yet: that is lesson 07.)
    // TODO(task 2): otherwise start sending the users after
    //               request_.after_id(), one write at a time; a store with no
    //               such user means the stream ends OK at once.
    Finish(course::kit::UnimplementedStatus("TODO(task 1): ListUsers"));
  }

  // TODO(task 2): override OnWriteDone(bool ok). It runs once per StartWrite;
  //               when ok, start the next write (the user after the last id
  //               you sent) or Finish(grpc::Status::OK) at the end; when not
  //               ok, the client is gone: Finish with CANCELLED.
  // TODO(task 3): stop with Finish(grpc::Status::OK) once page_size users are
  //               sent (page_size 0 means no limit).

  // Given: gRPC calls this once, after Finish, when no callback runs any more.
  void OnDone() override { delete this; }

 private:
  const course::domain::UserStore& store_;
  ListUsersRequest request_;
  // TODO(task 2): add what the stream needs between writes: the cursor (the
  //               last id sent) and the User being written.
};

class ServerStreamingLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* /*context*/,
                                            const ListUsersRequest* request) override {
    // The reactor owns itself from here on and deletes itself in OnDone.
    return new ListUsersReactor(store(), *request);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<ServerStreamingLesson>(argc, argv); }
