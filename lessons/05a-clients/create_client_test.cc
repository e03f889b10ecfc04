// Lesson 05a, task 3: a client stream, its half-close and the answer.
//
// Your CreateUsers writes batches to the reference server (which answers
// only after your half-close), and to servers that end the call after a few
// requests, with an error or with an early answer, while you still have
// plenty to write. What you report must be what the server said.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "clients.h"
#include "test_servers.h"

namespace {

using course::lesson05a::CallOptions;
using course::lesson05a::CreateReply;
using course::lesson05a::CreateUsers;
using namespace course::lesson05a::testing;

// CreateUsers reads `reads` requests, then ends the call with `status` (and
// the id 41 when that is OK) without reading any more.
class StopsAfter final : public course::v1::UserService::CallbackService {
 public:
  StopsAfter(int reads, grpc::Status status) : reads_(reads), status_(std::move(status)) {}

  grpc::ServerReadReactor<course::v1::CreateUserRequest>* CreateUsers(
      grpc::CallbackServerContext* context, course::v1::CreateUsersResponse* response) override {
    seen_.Record(*context);
    return new Reader(reads_, status_, response);
  }
  const DeadlineSeen& seen() const { return seen_; }

 private:
  class Reader final : public grpc::ServerReadReactor<course::v1::CreateUserRequest> {
   public:
    Reader(int reads, grpc::Status status, course::v1::CreateUsersResponse* response)
        : left_(reads), status_(std::move(status)), response_(response) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "the stream ended too soon"));
        return;
      }
      if (--left_ > 0) {
        StartRead(&request_);
        return;
      }
      if (status_.ok()) response_->add_ids(41);
      Finish(status_);
    }
    void OnDone() override { delete this; }

   private:
    int left_;
    const grpc::Status status_;
    course::v1::CreateUsersResponse* response_;
    course::v1::CreateUserRequest request_;
  };

  const int reads_;
  const grpc::Status status_;
  DeadlineSeen seen_;
};

course::v1::CreateUserRequest Request(const std::string& name, const std::string& email) {
  course::v1::CreateUserRequest request;
  request.set_name(name);
  request.set_email(email);
  return request;
}

// More requests than HTTP/2 lets through before the server reads them: 400
// of 4 KB each, so a client is still writing when the server ends the call.
std::vector<course::v1::CreateUserRequest> ManyLargeRequests() {
  std::vector<course::v1::CreateUserRequest> requests;
  for (int i = 0; i < 400; ++i) {
    requests.push_back(Request(std::string(4000, 'n'), "big" + std::to_string(i) + "@example.org"));
  }
  return requests;
}

TEST(ClientStreamClient, CreatesABatchOnTheReference) {
  auto reference = Reference(2);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::UserService::NewStub(reference->Channel());

  const CreateReply reply =
      CreateUsers(*stub,
                  {Request("Ann", "ann@example.org"), Request("Bob", "bob@example.org"),
                   Request("Cy", "cy@example.org")},
                  CallOptions{milliseconds(5000)});

  ASSERT_TRUE(reply.status.ok()) << "CreateUsers with 3 valid users ended "
                                 << DescribeStatus(reply.status)
                                 << " (the reference answers only after your half-close)";
  EXPECT_EQ(reply.sent, 3);
  ASSERT_EQ(reply.ids.size(), 3u) << "the response holds one id per user: report them";
  // Users 1 and 2 were there before: the new ones are 3, 4, 5.
  const std::vector<std::string> names = {"Ann", "Bob", "Cy"};
  for (std::size_t i = 0; i < 3; ++i) {
    course::v1::GetUserRequest request;
    request.set_id(reply.ids[i]);
    course::v1::User user;
    grpc::ClientContext context;
    SetTestDeadline(context);
    ASSERT_TRUE(stub->GetUser(&context, request, &user).ok()) << "no user " << reply.ids[i];
    EXPECT_EQ(user.name(), names[i]) << "ids[" << i << "] is " << reply.ids[i];
  }
}

TEST(ClientStreamClient, HalfClosesAnEmptyStream) {
  auto reference = Reference(2);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::UserService::NewStub(reference->Channel());
  const milliseconds timeout(3000);

  const auto start = std::chrono::steady_clock::now();
  const CreateReply reply = CreateUsers(*stub, {}, CallOptions{timeout});

  EXPECT_TRUE(reply.status.ok())
      << "an empty batch is OK (C6), but only once the server learns it is over: you report "
      << DescribeStatus(reply.status) << " after " << Since(start).count()
      << " ms. Did you half-close (WritesDone) before Finish?";
  EXPECT_EQ(reply.sent, 0);
  EXPECT_TRUE(reply.ids.empty());
}

TEST(ClientStreamClient, ReportsTheReferencesErrorForABadRequest) {
  auto reference = Reference(2);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::UserService::NewStub(reference->Channel());

  const CreateReply reply =
      CreateUsers(*stub, {Request("Ann", "ann@example.org"), Request("Bob", "no-at-sign")},
                  CallOptions{milliseconds(5000)});

  EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << "the second request has a bad email; you report " << DescribeStatus(reply.status);
  EXPECT_TRUE(reply.ids.empty()) << "a failed call has no ids to report";
}

TEST(ClientStreamClient, ReportsTheServersStatusWhenItFailsMidStream) {
  StopsAfter service(2, grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "2 users per call"));
  LoopbackServer server(&service);
  ASSERT_TRUE(server.started());
  auto stub = course::v1::UserService::NewStub(server.Channel());

  const auto start = std::chrono::steady_clock::now();
  const CreateReply reply =
      CreateUsers(*stub, ManyLargeRequests(), CallOptions{milliseconds(5000)});
  const milliseconds took = Since(start);

  EXPECT_EQ(reply.status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
      << "the server read 2 of your 400 requests and ended the call with RESOURCE_EXHAUSTED; "
      << "you report " << DescribeStatus(reply.status)
      << ". When Write returns false the call is over: stop writing and ask Finish why";
  EXPECT_EQ(reply.status.error_message(), "2 users per call") << "report the server's message";
  EXPECT_TRUE(reply.ids.empty());
  EXPECT_GE(reply.sent, 2);
  EXPECT_LT(reply.sent, 400) << "the stream could not accept all 400 requests after the "
                             << "server ended the call; count only the writes that succeeded";
  EXPECT_LT(took.count(), 4000) << "your CreateUsers took " << took.count() << " ms";
  ExpectDeadline(service.seen(), milliseconds(5000));
}

TEST(ClientStreamClient, TakesAnAnswerThatComesBeforeItsHalfClose) {
  StopsAfter service(1, grpc::Status::OK);
  LoopbackServer server(&service);
  ASSERT_TRUE(server.started());
  auto stub = course::v1::UserService::NewStub(server.Channel());

  const CreateReply reply =
      CreateUsers(*stub, ManyLargeRequests(), CallOptions{milliseconds(5000)});

  EXPECT_TRUE(reply.status.ok())
      << "the server read 1 request and answered OK with ids [41] at once; a failed Write "
      << "only means the call is over, Finish says how: you report "
      << DescribeStatus(reply.status);
  ASSERT_EQ(reply.ids.size(), 1u);
  EXPECT_EQ(reply.ids[0], 41);
}

}  // namespace
