// Lesson 08: your client interceptor and default deadline, against the
// reference server running in this test process on 127.0.0.1. The reference
// echoes x-request-id (M1), so what your interceptor added comes back in the
// response's initial metadata.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "client_interceptors.h"
#include "course/v1/course.grpc.pb.h"
#include "service/server.h"

namespace {

using course::lesson08::ClientMetadataInterceptorFactory;
using course::lesson08::NewCallContext;
using course::v1::UserService;
using std::chrono::system_clock;

std::string Echoed(const grpc::ClientContext& context) {
  const auto& metadata = context.GetServerInitialMetadata();
  auto it = metadata.find("x-request-id");
  return it == metadata.end() ? "(none)" : std::string(it->second.data(), it->second.size());
}

class ClientSide : public ::testing::Test {
 protected:
  void SetUp() override {
    course::service::ServerOptions options;
    options.listen = "127.0.0.1:0";
    options.seed = 5;
    auto server = course::service::ReferenceServer::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<ClientMetadataInterceptorFactory>(
        [this] {
          std::lock_guard lock(mu_);
          return "test-id-" + std::to_string(++ids_made_);
        },
        [this](const std::string& line) {
          std::lock_guard lock(mu_);
          warnings_.push_back(line);
        }));
    stub_ = UserService::NewStub(grpc::experimental::CreateCustomChannelWithInterceptors(
        server_->address(), grpc::InsecureChannelCredentials(), grpc::ChannelArguments(),
        std::move(creators)));
  }
  void TearDown() override {
    if (server_) server_->Shutdown(std::chrono::milliseconds(0));
  }

  static std::unique_ptr<grpc::ClientContext> WithDeadline() {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(system_clock::now() + std::chrono::seconds(10));
    return context;
  }
  grpc::Status GetUser(grpc::ClientContext* context, int id = 1) {
    course::v1::GetUserRequest request;
    request.set_id(id);
    course::v1::User user;
    return stub_->GetUser(context, request, &user);
  }
  int ids_made() {
    std::lock_guard lock(mu_);
    return ids_made_;
  }
  std::vector<std::string> warnings() {
    std::lock_guard lock(mu_);
    return warnings_;
  }

  std::unique_ptr<course::service::ReferenceServer> server_;
  std::unique_ptr<UserService::Stub> stub_;
  std::mutex mu_;
  int ids_made_ = 0;
  std::vector<std::string> warnings_;
};

using ClientInterceptor = ClientSide;
using ClientDeadline = ClientSide;

TEST_F(ClientInterceptor, AddsRequestIdWhenTheCallerHasNone) {
  auto context = WithDeadline();
  ASSERT_TRUE(GetUser(context.get()).ok());
  EXPECT_EQ(Echoed(*context), "test-id-1")
      << "the server echoes the x-request-id it received; add new_id_() at "
         "PRE_SEND_INITIAL_METADATA";
  EXPECT_EQ(ids_made(), 1) << "one new id per call";
}

TEST_F(ClientInterceptor, KeepsTheCallersOwnRequestId) {
  auto context = WithDeadline();
  context->AddMetadata("x-request-id", "callers-own");
  ASSERT_TRUE(GetUser(context.get()).ok());
  EXPECT_EQ(Echoed(*context), "callers-own") << "a caller's id must reach the server unchanged";
  EXPECT_EQ(ids_made(), 0) << "no new id when the caller brought one (look in "
                              "GetSendInitialMetadata() before adding)";
}

TEST_F(ClientInterceptor, AddsRequestIdToStreamingCalls) {
  auto context = WithDeadline();
  course::v1::ListUsersRequest request;
  request.set_page_size(2);
  auto reader = stub_->ListUsers(context.get(), request);
  course::v1::User user;
  int users = 0;
  while (reader->Read(&user)) ++users;
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(users, 2);
  EXPECT_EQ(Echoed(*context), "test-id-1") << "every kind of call passes through the interceptor";
}

TEST_F(ClientDeadline, NewCallContextSetsTheDeadline) {
  const auto before = system_clock::now();
  auto chosen = NewCallContext(std::chrono::milliseconds(2000));
  auto by_default = NewCallContext();
  ASSERT_NE(chosen->deadline(), system_clock::time_point::max())
      << "NewCallContext(2000 ms) made a context without a deadline";
  EXPECT_GE(chosen->deadline(), before + std::chrono::milliseconds(1900));
  EXPECT_LE(chosen->deadline(), system_clock::now() + std::chrono::milliseconds(2100));
  ASSERT_NE(by_default->deadline(), system_clock::time_point::max())
      << "NewCallContext() made a context without a deadline";
  EXPECT_GE(by_default->deadline(),
            before + course::lesson08::kDefaultTimeout - std::chrono::milliseconds(100))
      << "NewCallContext() should use kDefaultTimeout";
}

TEST_F(ClientDeadline, DefaultDeadlineEndsASlowCall) {
  auto context = NewCallContext(std::chrono::milliseconds(300));
  ASSERT_NE(context->deadline(), system_clock::time_point::max())
      << "NewCallContext made a context without a deadline";
  // Five users one second apart: about 4 s without a deadline.
  course::v1::ListUsersRequest request;
  request.set_page_size(5);
  request.set_interval_ms(1000);
  auto reader = stub_->ListUsers(context.get(), request);
  course::v1::User user;
  while (reader->Read(&user)) {
  }
  EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << "a 300 ms deadline on a 4 s ListUsers";
}

TEST_F(ClientDeadline, WarnsAboutACallWithoutDeadline) {
  // The one call of this course made without a deadline, on purpose: a
  // GetUser of the reference in this process answers at once.
  grpc::ClientContext context;
  ASSERT_TRUE(GetUser(&context).ok());
  EXPECT_EQ(warnings(), std::vector<std::string>{"no deadline: /course.v1.UserService/GetUser"})
      << "the interceptor should hand warn_ one line for a call without a deadline; "
         "ClientContext::deadline() is system_clock::time_point::max() then";
}

TEST_F(ClientDeadline, StaysQuietWhenTheCallHasADeadline) {
  auto context = WithDeadline();
  ASSERT_TRUE(GetUser(context.get()).ok());
  auto made = NewCallContext();
  ASSERT_TRUE(GetUser(made.get()).ok());
  EXPECT_EQ(warnings(), std::vector<std::string>{}) << "both calls had a deadline";
}

}  // namespace
