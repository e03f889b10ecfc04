// Lesson 06, status codes, error details and cancellation.
//
// Read lessons/06-status-and-errors/README.md first. Check your work with
//   ./course check 06
// Tasks 1 and 2 are in errors.cc; tasks 3 to 5 are here. Chat, and every
// ListUsers request that passes your checks, are served by the kit.
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "errors.h"
#include "kit/kit.h"

namespace {

using course::lesson06::BadRequestStatus;
using course::lesson06::ToGrpcStatus;
using course::v1::CreateUserRequest;
using course::v1::CreateUsersResponse;
using course::v1::ListUsersRequest;
using course::v1::User;

constexpr int kMaxIntervalMs = 10000;

// A ListUsers call that ends at once with `status`, before any user: how a
// server-streaming handler turns down a request. Ready to use.
class FinishedList final : public grpc::ServerWriteReactor<User> {
 public:
  explicit FinishedList(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// CreateUsers: judges each request as it arrives, keeps the batch aside, and
// stores it only after a real half-close. The token check and the first read
// are done; OnReadDone is yours.
class CreateUsersReactor final : public grpc::ServerReadReactor<CreateUserRequest> {
 public:
  CreateUsersReactor(grpc::CallbackServerContext* context, course::domain::UserStore& store,
                     const std::string& token, CreateUsersResponse* response)
      : context_(context), batch_(store), response_(response) {
    // M2 comes before any request: UNAUTHENTICATED or PERMISSION_DENIED.
    if (grpc::Status auth = course::service::TokenPolicy(token).Check(*context); !auth.ok()) {
      Finish(auth);
      return;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    // TODO(task 5): when ok, add the request to the batch; a request the
    //               batch refuses ends the call with that error as a gRPC
    //               status (task 2 converts it); else read the next one.
    //               When !ok, the reads are over: either the client
    //               half-closed, or the call was cancelled
    //               (context_->IsCancelled()). Only a half-close may
    //               batch_.Commit() and fill response_->mutable_ids();
    //               a cancelled call ends CANCELLED and stores nothing.
    (void)ok;
    Finish(course::kit::UnimplementedStatus("TODO(task 5): CreateUsers' OnReadDone"));
  }

  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* context_;
  course::domain::CreateBatch batch_;
  CreateUsersResponse* response_;
  CreateUserRequest incoming_;
};

class ErrorsLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    User* response) override {
    // TODO(task 3): id <= 0 is the request's fault: finish with
    //               BadRequestStatus("id", ...). An id nobody has
    //               (store().Get fails) is NOT_FOUND with the id in the
    //               message. Otherwise copy the user into *response, OK.
    (void)request;
    (void)response;
    return course::kit::Unimplemented(context, "TODO(task 3): GetUser's errors");
  }

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* context,
                                            const ListUsersRequest* request) override {
    // TODO(task 4): a negative page_size, or an interval_ms outside
    //               0..kMaxIntervalMs, ends the call at once (FinishedList)
    //               with a BadRequest naming that field. A good request goes
    //               on to the kit's ListUsers.
    (void)context;
    (void)request;
    return new FinishedList(course::kit::UnimplementedStatus("TODO(task 4): ListUsers' checks"));
  }

  grpc::ServerReadReactor<CreateUserRequest>* CreateUsers(grpc::CallbackServerContext* context,
                                                          CreateUsersResponse* response) override {
    return new CreateUsersReactor(context, store(), token(), response);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<ErrorsLesson>(argc, argv); }
