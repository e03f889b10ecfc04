// Lesson 05a, task 1: a unary call with a deadline.
//
// Your GetUser runs against the reference server, then against a server
// that answers only after kStall (6 s): with a deadline your client gives up
// on time and says DEADLINE_EXCEEDED; without one it waits the stall out.
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "clients.h"
#include "test_servers.h"

namespace {

using course::lesson05a::CallOptions;
using course::lesson05a::GetUser;
using course::lesson05a::UserReply;
using namespace course::lesson05a::testing;

// GetUser answers, but only kStall after the call arrived (or CANCELLED as
// soon as the call ends, whichever comes first).
class SlowUsers final : public course::v1::UserService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    course::v1::User* response) override {
    seen_.Record(*context);
    return new LateAnswer(request->id(), response);
  }
  const DeadlineSeen& seen() const { return seen_; }

 private:
  class LateAnswer final : public grpc::ServerUnaryReactor {
   public:
    LateAnswer(int id, course::v1::User* response) {
      alarm_.Set(std::chrono::system_clock::now() + kStall, [this, id, response](bool fired) {
        if (!fired) {
          Finish(grpc::Status::CANCELLED);
          return;
        }
        response->set_id(id);
        response->set_name("Late Lou");
        response->set_email("lou@late.example");
        Finish(grpc::Status::OK);
      });
    }
    // The alarm then calls back at once with fired == false.
    void OnCancel() override { alarm_.Cancel(); }
    void OnDone() override { delete this; }

   private:
    grpc::Alarm alarm_;
  };

  DeadlineSeen seen_;
};

TEST(UnaryClient, ReturnsTheUserTheReferenceHolds) {
  auto reference = Reference(3);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::UserService::NewStub(reference->Channel());

  const UserReply reply = GetUser(*stub, 2, CallOptions{milliseconds(5000)});

  ASSERT_TRUE(reply.status.ok()) << "GetUser(2) on a server holding users 1..3 ended "
                                 << DescribeStatus(reply.status);
  ASSERT_TRUE(reply.user.has_value()) << "the call was OK but your reply holds no user";
  EXPECT_EQ(reply.user->id(), 2);
  EXPECT_EQ(reply.user->name(), "Seed User 2");
  EXPECT_EQ(reply.user->email(), "user2@seed.example");
}

TEST(UnaryClient, ReportsTheServersErrorAndNoUser) {
  auto reference = Reference(3);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::UserService::NewStub(reference->Channel());

  const UserReply reply = GetUser(*stub, 99, CallOptions{milliseconds(5000)});

  EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::NOT_FOUND)
      << "GetUser(99) on a server holding users 1..3 should report the server's NOT_FOUND; "
      << "your reply says " << DescribeStatus(reply.status);
  EXPECT_NE(reply.status.error_message().find("99"), std::string::npos)
      << "report the server's own message (it names the id); yours is \""
      << reply.status.error_message() << "\"";
  EXPECT_FALSE(reply.user.has_value())
      << "after an error the response message means nothing: report no user";
}

TEST(UnaryClient, GivesUpOnASlowServerAtTheDeadline) {
  SlowUsers service;
  LoopbackServer server(&service);
  ASSERT_TRUE(server.started());
  auto stub = course::v1::UserService::NewStub(server.Channel());
  const milliseconds timeout(400);

  const auto start = std::chrono::steady_clock::now();
  const UserReply reply = GetUser(*stub, 1, CallOptions{timeout});
  const milliseconds took = Since(start);

  EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << "a server that answers after " << kStall.count() << " ms, called with options.timeout "
      << timeout.count() << " ms: your reply says " << DescribeStatus(reply.status);
  EXPECT_LT(took.count(), 3000) << "your GetUser took " << took.count()
                                << " ms to return; with a deadline it returns about "
                                << timeout.count() << " ms after the call starts";
  EXPECT_FALSE(reply.user.has_value()) << "a call past its deadline has no user to report";
  ExpectDeadline(service.seen(), timeout);
}

}  // namespace
