// Lesson 09, streaming large data: write ListUsers so that the server never
// holds the list, however large it is and however slowly it is read.
//
// Read lessons/09-streaming-large-data/README.md first. Check your work with
//   ./course check 09
// Everything except ListUsers is served for you by the kit.
#include "kit/kit.h"

namespace {

using course::v1::ListUsersRequest;
using course::v1::User;

// TODO(task 2): a grpc::ServerWriteReactor<User> that walks the store with
//               store().FirstAfter(cursor), one user per write, and starts
//               the next write only from OnWriteDone(ok). OnDone deletes it.
// TODO(task 3): keep it quick: one FirstAfter and one write per user, no
//               sleeping and no copying, so 300,000 users stream in seconds.
// TODO(task 4): never collect the users (or their messages) first: one user
//               and one write in flight at a time keep memory bounded, and
//               flow control slows the producer down to the reader's pace.

class LargeDataLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* context,
                                            const ListUsersRequest* request) override {
    // TODO(task 1): page_size < 0 or interval_ms outside 0..10000 ends the
    //               call with course::kit::InvalidField("page_size" or
    //               "interval_ms", ...) before any user is written.
    // TODO(task 2): a paced list (interval_ms > 0) may be handed to the kit:
    //               `return UserServiceBase::ListUsers(context, request);`
    //               otherwise return your own reactor.
    (void)context;
    (void)request;
    return new NotWritten();
  }

 private:
  // Ends every call with UNIMPLEMENTED. Replace it with your reactor.
  class NotWritten final : public grpc::ServerWriteReactor<User> {
   public:
    NotWritten() { Finish(course::kit::UnimplementedStatus("TODO(task 1): ListUsers")); }
    void OnDone() override { delete this; }
  };
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<LargeDataLesson>(argc, argv); }
