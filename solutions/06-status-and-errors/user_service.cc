// Lesson 06, status codes, error details and cancellation: solved.
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
// server-streaming handler turns down a request.
class FinishedList final : public grpc::ServerWriteReactor<User> {
 public:
  explicit FinishedList(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

// CreateUsers: judges each request as it arrives, keeps the batch aside, and
// stores it only after a real half-close.
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
    if (ok) {
      // C1, C3, C7 in stream order. The batch has touched nothing yet, so
      // ending here stores nothing (C4).
      absl::Status added =
          batch_.Add({std::move(*incoming_.mutable_name()), std::move(*incoming_.mutable_email())});
      if (!added.ok()) {
        Finish(ToGrpcStatus(added));
        return;
      }
      StartRead(&incoming_);
      return;
    }
    // A read fails both when the client half-closes and when the call is
    // over (the client cancelled, or the deadline passed). Only the context
    // tells them apart, and only the half-close may commit (C4).
    if (context_->IsCancelled()) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client cancelled the batch"));
      return;
    }
    absl::StatusOr<std::vector<std::int32_t>> ids = batch_.Commit();
    if (!ids.ok()) {  // another batch took an email in the meantime
      Finish(ToGrpcStatus(ids.status()));
      return;
    }
    response_->mutable_ids()->Assign(ids->begin(), ids->end());
    Finish(grpc::Status::OK);
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
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    // The request itself is wrong: no retry can help (INVALID_ARGUMENT).
    if (request->id() <= 0) {
      reactor->Finish(BadRequestStatus("id", "id must be greater than 0"));
      return reactor;
    }
    // The request is fine, the user is not there (NOT_FOUND).
    absl::StatusOr<course::domain::User> user = store().Get(request->id());
    if (!user.ok()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   absl::StrCat("no user with id ", request->id())));
      return reactor;
    }
    response->set_id(user->id);
    response->set_name(user->name);
    response->set_email(user->email);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerWriteReactor<User>* ListUsers(grpc::CallbackServerContext* context,
                                            const ListUsersRequest* request) override {
    // L1: refuse a bad request before sending any user.
    if (request->page_size() < 0) {
      return new FinishedList(BadRequestStatus("page_size", "page_size must not be negative"));
    }
    if (request->interval_ms() < 0 || request->interval_ms() > kMaxIntervalMs) {
      return new FinishedList(BadRequestStatus(
          "interval_ms", absl::StrCat("interval_ms must be between 0 and ", kMaxIntervalMs)));
    }
    // A good request: the kit streams it (lessons 03 and 07 write that part).
    return UserServiceBase::ListUsers(context, request);
  }

  grpc::ServerReadReactor<CreateUserRequest>* CreateUsers(grpc::CallbackServerContext* context,
                                                          CreateUsersResponse* response) override {
    return new CreateUsersReactor(context, store(), token(), response);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<ErrorsLesson>(argc, argv); }
