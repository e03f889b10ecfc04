#include "service/user_service.h"

#include <grpcpp/alarm.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/validation.h"

#include "service/chat_session.h"
#include "service/status_convert.h"

namespace course::service {
namespace {

using v1::CreateUserRequest;
using v1::CreateUsersResponse;
using v1::ListUsersRequest;
using v1::User;

constexpr int kMaxIntervalMs = 10000;
// With batch_writes, every this many users the buffered writes are flushed.
constexpr int kFlushEvery = 16;

void ToProto(const domain::User& user, User* out) {
  out->set_id(user.id);
  out->set_name(user.name);
  out->set_email(user.email);
}

// L2/L3: walks the store one user at a time (never a snapshot of the whole
// list), pausing between users with a gRPC alarm so that a cancelled call
// stops at once instead of sleeping on a thread.
//
// Exactly one operation is outstanding at any time (a write or the alarm),
// so exactly one path reaches Finish.
class ListUsersReactor final : public grpc::ServerWriteReactor<User> {
 public:
  ListUsersReactor(const domain::UserStore& store, const ListUsersRequest& request,
                   bool batch_writes)
      : store_(store),
        batch_writes_(batch_writes),
        page_limited_(request.page_size() > 0),
        remaining_(request.page_size()),
        cursor_(request.after_id()),
        interval_(request.interval_ms()) {
    if (absl::Status status = CheckListRequest(request); !status.ok()) {
      Finish(ToGrpcStatus(status));
      return;
    }
    SendNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    if (page_limited_ && remaining_ == 0) {
      Finish(grpc::Status::OK);
      return;
    }
    if (interval_.count() == 0) {
      SendNext();
      return;
    }
    bool cancelled = false;
    {
      std::lock_guard lock(mu_);
      cancelled = cancelled_;
      if (!cancelled) {
        // Armed under the lock so that OnCancel, which reads waiting_,
        // always finds a set alarm to cancel.
        waiting_ = true;
        alarm_.Set(std::chrono::system_clock::now() + interval_,
                   [this](bool fired) { AfterPause(fired); });
      }
    }
    if (cancelled) Finish(grpc::Status::CANCELLED);
  }

  void OnCancel() override {
    bool cancel_alarm = false;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      cancel_alarm = waiting_;
    }
    if (cancel_alarm) alarm_.Cancel();
  }

  void OnDone() override { delete this; }

 private:
  void AfterPause(bool fired) {
    bool stop = false;
    {
      std::lock_guard lock(mu_);
      waiting_ = false;
      stop = !fired || cancelled_;
    }
    if (stop) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the call ended during the pause"));
      return;
    }
    SendNext();
  }

  void SendNext() {
    std::optional<domain::User> next = store_.FirstAfter(cursor_);
    if (!next) {
      Finish(grpc::Status::OK);
      return;
    }
    cursor_ = next->id;
    if (page_limited_) --remaining_;
    ToProto(*next, &outgoing_);
    // A buffered write completes at once and goes out with the next flush
    // (Finish flushes too). Never the first write: it carries the initial
    // metadata, which must go out for the write to complete. Never with a
    // pause: L3 wants each user sent as it is produced.
    if (batch_writes_ && interval_.count() == 0 && written_++ % kFlushEvery != 0) {
      StartWrite(&outgoing_, grpc::WriteOptions().set_buffer_hint());
      return;
    }
    StartWrite(&outgoing_);
  }

  const domain::UserStore& store_;
  const bool batch_writes_;
  int written_ = 0;
  const bool page_limited_;
  std::int32_t remaining_;
  std::int32_t cursor_;
  const std::chrono::milliseconds interval_;
  User outgoing_;
  grpc::Alarm alarm_;
  std::mutex mu_;
  bool cancelled_ = false;
  bool waiting_ = false;
};

// C1-C8, M2: judges each request as it arrives and stores the batch only
// when the client half-closes.
class CreateUsersReactor final : public grpc::ServerReadReactor<CreateUserRequest> {
 public:
  CreateUsersReactor(grpc::CallbackServerContext* context, domain::UserStore& store,
                     const TokenPolicy& policy, CreateUsersResponse* response)
      : context_(context), batch_(store), response_(response) {
    if (grpc::Status auth = policy.Check(*context); !auth.ok()) {
      Finish(auth);
      return;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      // A cancelled call also ends its reads; it must store nothing (C4).
      if (context_->IsCancelled()) {
        Finish(grpc::Status::CANCELLED);
        return;
      }
      absl::StatusOr<std::vector<std::int32_t>> ids = batch_.Commit();
      if (!ids.ok()) {
        Finish(ToGrpcStatus(ids.status()));
        return;
      }
      response_->mutable_ids()->Assign(ids->begin(), ids->end());
      Finish(grpc::Status::OK);
      return;
    }
    absl::Status added =
        batch_.Add({std::move(*incoming_.mutable_name()), std::move(*incoming_.mutable_email())});
    if (!added.ok()) {
      Finish(ToGrpcStatus(added));
      return;
    }
    StartRead(&incoming_);
  }

  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* context_;
  domain::CreateBatch batch_;
  CreateUsersResponse* response_;
  CreateUserRequest incoming_;
};

}  // namespace

absl::Status CheckListRequest(const ListUsersRequest& request) {
  if (request.page_size() < 0) {
    return domain::FieldError("page_size", "page_size must not be negative");
  }
  if (request.interval_ms() < 0 || request.interval_ms() > kMaxIntervalMs) {
    return domain::FieldError("interval_ms",
                              absl::StrCat("interval_ms must be between 0 and ", kMaxIntervalMs));
  }
  return absl::OkStatus();
}

grpc::Status TokenPolicy::Check(const grpc::CallbackServerContext& context) const {
  if (token_.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "this server needs `authorization: Bearer <token>`");
  }
  if (grpc::string_ref(it->second) != grpc::string_ref("Bearer " + token_)) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        "the bearer token is not the server's token");
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* UserServiceImpl::GetUser(grpc::CallbackServerContext* context,
                                                   const v1::GetUserRequest* request,
                                                   User* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<domain::User> user = store_.Get(request->id());
  if (user.ok()) ToProto(*user, response);
  reactor->Finish(ToGrpcStatus(user.status()));
  return reactor;
}

grpc::ServerWriteReactor<User>* UserServiceImpl::ListUsers(grpc::CallbackServerContext* /*context*/,
                                                           const ListUsersRequest* request) {
  return new ListUsersReactor(store_, *request, batch_writes_);
}

grpc::ServerReadReactor<CreateUserRequest>* UserServiceImpl::CreateUsers(
    grpc::CallbackServerContext* context, CreateUsersResponse* response) {
  return new CreateUsersReactor(context, store_, create_policy_, response);
}

grpc::ServerBidiReactor<v1::Message, v1::Message>* UserServiceImpl::Chat(
    grpc::CallbackServerContext* /*context*/) {
  return StartChat(hub_);
}

grpc::ServerBidiReactor<v1::Message, v1::Message>* ChatServiceImpl::Chat(
    grpc::CallbackServerContext* /*context*/) {
  return StartChat(hub_);
}

}  // namespace course::service
