#include "mutants/service_mutants.h"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "mutants/domain_mutants.h"
#include "service/chat_session.h"
#include "service/status_convert.h"

namespace course::mutants {
namespace {

using v1::CreateUserRequest;
using v1::CreateUsersResponse;
using v1::ListUsersRequest;
using v1::User;

bool IsOneOf(const std::string& fault, std::initializer_list<const char*> names) {
  return std::any_of(names.begin(), names.end(), [&](const char* name) { return fault == name; });
}

// L3: the pause between users is a plain sleep on gRPC's callback thread.
// Nothing wakes it when the call ends, and a failed write still sleeps
// through the rest of the page, so abandoned lists keep the threads busy.
class SleepingListReactor final : public grpc::ServerWriteReactor<User> {
 public:
  SleepingListReactor(const domain::UserStore& store, const ListUsersRequest& request)
      : store_(store),
        page_limited_(request.page_size() > 0),
        remaining_(request.page_size()),
        cursor_(request.after_id()),
        interval_(request.interval_ms()) {
    SendNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      std::this_thread::sleep_for(interval_ * std::max(0, remaining_));
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    if (page_limited_ && remaining_ == 0) {
      Finish(grpc::Status::OK);
      return;
    }
    std::this_thread::sleep_for(interval_);
    SendNext();
  }

  void OnDone() override { delete this; }

 private:
  void SendNext() {
    std::optional<domain::User> next = store_.FirstAfter(cursor_);
    if (!next) {
      Finish(grpc::Status::OK);
      return;
    }
    cursor_ = next->id;
    if (page_limited_) --remaining_;
    outgoing_.set_id(next->id);
    outgoing_.set_name(next->name);
    outgoing_.set_email(next->email);
    StartWrite(&outgoing_);
  }

  const domain::UserStore& store_;
  const bool page_limited_;
  std::int32_t remaining_;
  std::int32_t cursor_;
  const std::chrono::milliseconds interval_;
  User outgoing_;
};

// C1-C4, C6-C8: the reference's CreateUsers reactor written again around a
// FaultyBatch, with C4 and C6 in the reactor itself.
class FaultyCreateUsersReactor final : public grpc::ServerReadReactor<CreateUserRequest> {
 public:
  FaultyCreateUsersReactor(grpc::CallbackServerContext* context, domain::UserStore& store,
                           const service::TokenPolicy& policy, CreateUsersResponse* response,
                           const std::string& fault)
      : context_(context), fault_(fault), batch_(store, fault), response_(response) {
    if (grpc::Status auth = policy.Check(*context); !auth.ok()) {
      Finish(auth);
      return;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      EndOfStream();
      return;
    }
    absl::Status added =
        batch_.Add({std::move(*incoming_.mutable_name()), std::move(*incoming_.mutable_email())});
    if (!added.ok()) {
      if (fault_ == "C4") (void)batch_.Commit();  // keeps the valid prefix
      Finish(service::ToGrpcStatus(added));
      return;
    }
    StartRead(&incoming_);
  }

  void OnDone() override { delete this; }

 private:
  void EndOfStream() {
    // C4 stores the batch of a cancelled call as well.
    if (context_->IsCancelled() && fault_ != "C4") {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    if (fault_ == "C6" && batch_.size() == 0) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no users"));
      return;
    }
    absl::StatusOr<std::vector<std::int32_t>> ids = batch_.Commit();
    if (!ids.ok()) {
      Finish(service::ToGrpcStatus(ids.status()));
      return;
    }
    response_->mutable_ids()->Assign(ids->begin(), ids->end());
    Finish(grpc::Status::OK);
  }

  grpc::CallbackServerContext* context_;
  const std::string fault_;
  FaultyBatch batch_;
  CreateUsersResponse* response_;
  CreateUserRequest incoming_;
};

// H5: ignores the end of the client's messages, so the call lasts until the
// client gives up on it (and the stream stays in its rooms until then).
class DeafToHalfCloseSession final : public service::ChatSession {
 public:
  using ChatSession::ChatSession;

  void OnReadDone(bool ok) override {
    if (ok) ChatSession::OnReadDone(ok);
  }
};

grpc::ServerBidiReactor<v1::Message, v1::Message>* StartFaultyChat(domain::ChatHub& hub,
                                                                   const std::string& fault) {
  if (fault == "H5") return new DeafToHalfCloseSession(hub);
  // H6: a queue without a limit, so a slow reader is never dropped.
  if (fault == "H6") return new service::ChatSession(hub, std::numeric_limits<std::size_t>::max());
  return service::StartChat(hub);
}

}  // namespace

MutantUserService::MutantUserService(domain::UserStore& store, domain::ChatHub& hub,
                                     const std::string& token, std::string fault)
    : store_(store),
      hub_(hub),
      fault_(std::move(fault)),
      policy_(token),
      reference_(store, hub, service::TokenPolicy(token)),
      without_token_(store, hub, service::TokenPolicy("")) {
  if (fault_ == "L3-pool") pool_ = std::make_unique<WorkerPool>(kPoolWorkers);
}

grpc::ServerUnaryReactor* MutantUserService::GetUser(grpc::CallbackServerContext* context,
                                                     const v1::GetUserRequest* request,
                                                     User* response) {
  if (pool_ != nullptr) return PooledGetUser(*pool_, store_, context, request, response);
  return reference_.GetUser(context, request, response);
}

grpc::ServerWriteReactor<User>* MutantUserService::ListUsers(grpc::CallbackServerContext* context,
                                                             const ListUsersRequest* request) {
  const bool valid = service::CheckListRequest(*request).ok();
  if (fault_ == "L3" && valid && request->interval_ms() > 0) {
    return new SleepingListReactor(store_, *request);
  }
  if (pool_ != nullptr && valid) return PooledListUsers(*pool_, store_, *request);
  if (fault_ == "L3-thread" && valid && request->interval_ms() > 0) {
    return ThreadPerCallListUsers(store_, *request);
  }
  if (!IsOneOf(fault_, {"L1", "L2", "L3-buffer"})) return reference_.ListUsers(context, request);
  // The reference reads the request only while it builds its reactor, so a
  // changed copy that lives until the return can stand in for it.
  ListUsersRequest bent = *request;
  if (fault_ == "L1" && bent.page_size() < 0) bent.set_page_size(0);  // 0: no limit
  if (fault_ == "L2") bent.set_after_id(request->after_id() - 1);
  if (fault_ == "L3-buffer" && valid && bent.interval_ms() > 0) {
    // Produces the whole page first, then sends it without a pause.
    const std::chrono::milliseconds interval(bent.interval_ms());
    std::this_thread::sleep_for(interval * std::max(0, bent.page_size() - 1));
    bent.set_interval_ms(0);
  }
  return reference_.ListUsers(context, &bent);
}

grpc::ServerReadReactor<CreateUserRequest>* MutantUserService::CreateUsers(
    grpc::CallbackServerContext* context, CreateUsersResponse* response) {
  if (IsOneOf(fault_, {"C1", "C1-chars", "C2", "C3", "C4", "C6", "C7", "C8"})) {
    return new FaultyCreateUsersReactor(context, store_, policy_, response, fault_);
  }
  // M2: whoever sends a token, right or wrong, gets in; without one the
  // reference still answers UNAUTHENTICATED.
  if (fault_ == "M2" && context->client_metadata().count("authorization") > 0) {
    return without_token_.CreateUsers(context, response);
  }
  return reference_.CreateUsers(context, response);
}

grpc::ServerBidiReactor<v1::Message, v1::Message>* MutantUserService::Chat(
    grpc::CallbackServerContext* /*context*/) {
  return StartFaultyChat(hub_, fault_);
}

grpc::ServerBidiReactor<v1::Message, v1::Message>* MutantChatService::Chat(
    grpc::CallbackServerContext* /*context*/) {
  return StartFaultyChat(hub_, fault_);
}

}  // namespace course::mutants
