// The model-based property (model/model.h) against the reference server, and
// against a server with one deliberate bug, to prove the property can fail
// and that its report reads as a sequence of calls.
#include "tests/model/model.h"

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "core/target.h"
#include "course/v1/course.grpc.pb.h"
#include "domain/user_store.h"
#include "domain/validation.h"
#include "service/status_convert.h"

namespace course::harness {
namespace {

// ---- A server with one bug --------------------------------------------------
//
// UserService on the reference's domain code, except that a CreateUsers call
// that fails keeps the valid requests before the failing one: C4 says a
// failed call stores nothing.

class LeakyCreateReactor final : public grpc::ServerReadReactor<v1::CreateUserRequest> {
 public:
  LeakyCreateReactor(grpc::CallbackServerContext* context, domain::UserStore& store,
                     v1::CreateUsersResponse* response)
      : context_(context), batch_(store), response_(response) {
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      if (context_->IsCancelled()) {
        Finish(grpc::Status::CANCELLED);
        return;
      }
      absl::StatusOr<std::vector<std::int32_t>> ids = batch_.Commit();
      if (!ids.ok()) {
        Finish(service::ToGrpcStatus(ids.status()));
        return;
      }
      response_->mutable_ids()->Assign(ids->begin(), ids->end());
      Finish(grpc::Status::OK);
      return;
    }
    absl::Status added = batch_.Add({incoming_.name(), incoming_.email()});
    if (!added.ok()) {
      (void)batch_.Commit();  // the bug: the valid prefix is stored
      Finish(service::ToGrpcStatus(added));
      return;
    }
    StartRead(&incoming_);
  }

  void OnDone() override { delete this; }

 private:
  grpc::CallbackServerContext* context_;
  domain::CreateBatch batch_;
  v1::CreateUsersResponse* response_;
  v1::CreateUserRequest incoming_;
};

class ListReactor final : public grpc::ServerWriteReactor<v1::User> {
 public:
  ListReactor(const domain::UserStore& store, const v1::ListUsersRequest& request)
      : store_(store),
        limited_(request.page_size() > 0),
        remaining_(request.page_size()),
        cursor_(request.after_id()) {
    if (request.page_size() < 0) {
      Finish(
          service::ToGrpcStatus(domain::FieldError("page_size", "page_size must not be negative")));
      return;
    }
    SendNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    SendNext();
  }

  void OnDone() override { delete this; }

 private:
  void SendNext() {
    std::optional<domain::User> next;
    if (!limited_ || remaining_ > 0) next = store_.FirstAfter(cursor_);
    if (!next) {
      Finish(grpc::Status::OK);
      return;
    }
    cursor_ = next->id;
    --remaining_;
    outgoing_.set_id(next->id);
    outgoing_.set_name(next->name);
    outgoing_.set_email(next->email);
    StartWrite(&outgoing_);
  }

  const domain::UserStore& store_;
  const bool limited_;
  std::int32_t remaining_;
  std::int32_t cursor_;
  v1::User outgoing_;
};

class LeakyUserService final : public v1::UserService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const v1::GetUserRequest* request,
                                    v1::User* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::StatusOr<domain::User> user = store_.Get(request->id());
    if (user.ok()) {
      response->set_id(user->id);
      response->set_name(user->name);
      response->set_email(user->email);
    }
    reactor->Finish(service::ToGrpcStatus(user.status()));
    return reactor;
  }

  grpc::ServerWriteReactor<v1::User>* ListUsers(grpc::CallbackServerContext* /*context*/,
                                                const v1::ListUsersRequest* request) override {
    return new ListReactor(store_, *request);
  }

  grpc::ServerReadReactor<v1::CreateUserRequest>* CreateUsers(
      grpc::CallbackServerContext* context, v1::CreateUsersResponse* response) override {
    return new LeakyCreateReactor(context, store_, response);
  }

 private:
  domain::InMemoryUserStore store_;
};

class LeakyTarget final : public Target {
 public:
  LeakyTarget() {
    grpc::ServerBuilder builder;
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    channel_ = server_->InProcessChannel(grpc::ChannelArguments());
  }
  ~LeakyTarget() override {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
  }

  std::shared_ptr<grpc::Channel> Channel() override { return channel_; }
  std::shared_ptr<grpc::Channel> NewChannel(const grpc::ChannelArguments& args) override {
    return server_->InProcessChannel(args);
  }
  std::string Describe() const override {
    return "a server that keeps the valid prefix of a failed CreateUsers call";
  }
  std::string Address() const override { return ""; }
  std::string Token() const override { return ""; }

 private:
  LeakyUserService service_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// ---- The tests ----------------------------------------------------------------

TEST(ModelOracle, JudgesEachRequestNameThenEmailThenDuplicate) {
  Model model;
  model.users.push_back({1, "Ann", {1, EmailShape::kValid, 0}});
  // An empty name with a taken email: C1 comes before C3 (C8).
  CreateExpectation e =
      ExpectCreate(model, {{RequestKind::kBadNameDuplicate, "", {1, EmailShape::kValid, 7}}}, "t");
  EXPECT_EQ(e.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(e.field, "users[0].name");
  // A duplicate within the stream, in another case, ends the call at itself.
  e = ExpectCreate(model,
                   {{RequestKind::kFresh, "B", {2, EmailShape::kValid, 0}},
                    {RequestKind::kDuplicateInBatch, "C", {2, EmailShape::kValid, 9}},
                    {RequestKind::kBadEmail, "D", {3, EmailShape::kNoAt, 0}}},
                   "t");
  EXPECT_EQ(e.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(e.index, 1);
  EXPECT_EQ(e.email, RenderEmail({2, EmailShape::kValid, 9}, "t"));
  // Every broken shape is invalid and the longest valid one is 254 bytes.
  for (int shape = 1; shape < kEmailShapes; ++shape) {
    EXPECT_FALSE(EmailFollowsC1(RenderEmail({5, static_cast<EmailShape>(shape), 0}, "t"))) << shape;
  }
  EXPECT_EQ(RenderEmail({4, EmailShape::kValid, 0}, "t").size(), 254u);
  EXPECT_TRUE(EmailFollowsC1(RenderEmail({4, EmailShape::kValid, 3}, "t")));
}

TEST(ModelProperty, ReferenceAgreesWithTheModel) {
  // Five users the model knows nothing about: it must never assume an empty
  // store. A token, so CreateUsers goes through M2 each time.
  auto target = MakeInProcessReference("model-token", 5);
  ASSERT_TRUE(target.ok()) << target.status().message();
  ModelOptions options;  // 100 sequences, a seed from the clock
  const auto start = std::chrono::steady_clock::now();
  const ModelRunResult result = RunModelProperty(**target, options);
  std::cout << result.report << "took " << SecondsSince(start) << " s\n";
  ASSERT_TRUE(result.ok) << result.report;

  const char* env = std::getenv("RC_PARAMS");
  if (env != nullptr && *env != '\0') return;  // a replay runs one case
  EXPECT_EQ(result.sequences_passed, options.sequences);
  // Every kind of outcome the model predicts was exercised.
  for (const char* outcome : {"CreateUsers OK", "CreateUsers INVALID_ARGUMENT",
                              "CreateUsers ALREADY_EXISTS", "CreateUsers cancelled", "GetUser OK",
                              "GetUser INVALID_ARGUMENT", "GetUser NOT_FOUND", "ListUsers OK"}) {
    EXPECT_GT(result.tally.count(outcome) ? result.tally.at(outcome) : 0, 0) << outcome;
  }
}

TEST(ModelProperty, CatchesAServerThatKeepsPartOfAFailedBatch) {
  ModelOptions options;
  options.seed = 20240601;           // fixed: the same counterexample every time
  options.honour_rc_params = false;  // RC_PARAMS is for the test above
  ModelRunResult result;
  {
    LeakyTarget target;
    const auto start = std::chrono::steady_clock::now();
    result = RunModelProperty(target, options);
    std::cout << result.report << "took " << SecondsSince(start) << " s\n";
  }
  ASSERT_FALSE(result.ok) << "the property passed on " << LeakyTarget().Describe();
  EXPECT_NE(result.report.find("1. CreateUsers["), std::string::npos) << result.report;
  EXPECT_NE(result.report.find("(C4)"), std::string::npos) << result.report;
  EXPECT_NE(result.report.find("RC_PARAMS=\"seed=20240601"), std::string::npos);
  ASSERT_FALSE(result.rc_params.empty());

  // The replay line of the report reproduces the same shrunk sequence on a
  // fresh server.
  ModelOptions replay = options;
  replay.rc_params = result.rc_params;
  LeakyTarget fresh;
  const ModelRunResult again = RunModelProperty(fresh, replay);
  EXPECT_FALSE(again.ok);
  const auto calls = [](const std::string& report) {
    return report.substr(0, report.find("\nThe last call:"));
  };
  EXPECT_EQ(calls(again.report).substr(calls(again.report).find("1. ")),
            calls(result.report).substr(calls(result.report).find("1. ")));
}

}  // namespace
}  // namespace course::harness
