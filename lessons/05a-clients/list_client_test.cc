// Lesson 05a, task 2: a server stream read to the end.
//
// Your ListUsers reads the reference's stream, then streams that go wrong:
// one that fails after three users, one that ends before page_size without
// an error, and one that stalls until the deadline passes. Each time the
// users that came must be kept, and the ending reported as it was.
#include <grpcpp/alarm.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <vector>

#include "clients.h"
#include "test_servers.h"

namespace {

using course::lesson05a::CallOptions;
using course::lesson05a::ListUsers;
using course::lesson05a::UserList;
using namespace course::lesson05a::testing;

// How a BrokenList stream ends once its users are written.
enum class End { kDataLoss, kOk, kStall };

// ListUsers writes users 1..count, then ends as `end` says: DATA_LOSS, OK,
// or nothing at all until the call ends (or kStall passes: then OK).
class BrokenList final : public course::v1::UserService::CallbackService {
 public:
  BrokenList(int count, End end) : count_(count), end_(end) {}

  grpc::ServerWriteReactor<course::v1::User>* ListUsers(
      grpc::CallbackServerContext* context, const course::v1::ListUsersRequest*) override {
    seen_.Record(*context);
    return new Writer(count_, end_);
  }
  const DeadlineSeen& seen() const { return seen_; }

 private:
  class Writer final : public grpc::ServerWriteReactor<course::v1::User> {
   public:
    Writer(int count, End end) : count_(count), end_(end) { Next(); }
    void OnWriteDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::CANCELLED);
        return;
      }
      Next();
    }
    void OnCancel() override {
      bool armed = false;
      {
        std::lock_guard lock(mu_);
        cancelled_ = true;
        armed = armed_;
      }
      if (armed) alarm_.Cancel();  // it then calls back at once, fired == false
    }
    void OnDone() override { delete this; }

   private:
    void Next() {
      if (written_ < count_) {
        ++written_;
        user_.set_id(written_);
        user_.set_name("Listed " + std::to_string(written_));
        user_.set_email("listed" + std::to_string(written_) + "@broken.example");
        StartWrite(&user_);
      } else if (end_ == End::kDataLoss) {
        Finish(grpc::Status(grpc::StatusCode::DATA_LOSS,
                            "the disk went away after " + std::to_string(count_) + " users"));
      } else if (end_ == End::kOk) {
        Finish(grpc::Status::OK);
      } else {
        {
          // Armed under the lock: OnCancel either sees it armed and cancels
          // it, or ran before and it is never armed.
          std::lock_guard lock(mu_);
          if (!cancelled_) {
            armed_ = true;
            alarm_.Set(std::chrono::system_clock::now() + kStall, [this](bool fired) {
              Finish(fired ? grpc::Status::OK : grpc::Status::CANCELLED);
            });
            return;
          }
        }
        Finish(grpc::Status::CANCELLED);
      }
    }

    const int count_;
    const End end_;
    int written_ = 0;
    course::v1::User user_;
    grpc::Alarm alarm_;
    std::mutex mu_;
    bool cancelled_ = false;
    bool armed_ = false;
  };

  const int count_;
  const End end_;
  DeadlineSeen seen_;
};

std::string Ids(const std::vector<course::v1::User>& users) {
  std::string text = "[";
  for (const auto& user : users) text += (text.size() > 1 ? ", " : "") + std::to_string(user.id());
  return text + "]";
}

// The users 1..count, in order, each exactly as BrokenList wrote it.
void ExpectListed(const UserList& list, int count) {
  ASSERT_EQ(list.users.size(), static_cast<std::size_t>(count))
      << "the server wrote users 1.." << count << "; you report ids " << Ids(list.users);
  for (int i = 0; i < count; ++i) {
    EXPECT_EQ(list.users[i].id(), i + 1) << "you report ids " << Ids(list.users);
    EXPECT_EQ(list.users[i].email(), "listed" + std::to_string(i + 1) + "@broken.example");
  }
}

TEST(ServerStreamClient, ReadsTheReferenceStreamToTheEnd) {
  auto reference = Reference(6);
  ASSERT_NE(reference, nullptr);
  auto stub = course::v1::UserService::NewStub(reference->Channel());
  course::v1::ListUsersRequest request;
  request.set_after_id(2);

  const UserList list = ListUsers(*stub, request, CallOptions{milliseconds(5000)});

  ASSERT_TRUE(list.status.ok()) << "ListUsers{after_id: 2} on a server holding users 1..6 ended "
                                << DescribeStatus(list.status);
  EXPECT_EQ(Ids(list.users), "[3, 4, 5, 6]") << "ListUsers{after_id: 2}, users 1..6 stored";
  if (list.users.size() == 4) {
    EXPECT_EQ(list.users[0].email(), "user3@seed.example");
  }
}

TEST(ServerStreamClient, KeepsTheUsersBeforeAnErrorInTheMiddle) {
  BrokenList service(3, End::kDataLoss);
  LoopbackServer server(&service);
  ASSERT_TRUE(server.started());
  auto stub = course::v1::UserService::NewStub(server.Channel());

  const UserList list = ListUsers(*stub, {}, CallOptions{milliseconds(5000)});

  EXPECT_EQ(list.status.error_code(), grpc::StatusCode::DATA_LOSS)
      << "the stream wrote 3 users, then ended with DATA_LOSS; you report "
      << DescribeStatus(list.status);
  EXPECT_EQ(list.status.error_message(), "the disk went away after 3 users")
      << "report the server's own message";
  ExpectListed(list, 3);
  ExpectDeadline(service.seen(), milliseconds(5000));
}

TEST(ServerStreamClient, ReportsAStreamShorterThanPageSizeAsItCame) {
  BrokenList service(2, End::kOk);
  LoopbackServer server(&service);
  ASSERT_TRUE(server.started());
  auto stub = course::v1::UserService::NewStub(server.Channel());
  course::v1::ListUsersRequest request;
  request.set_page_size(5);

  const UserList list = ListUsers(*stub, request, CallOptions{milliseconds(5000)});

  EXPECT_TRUE(list.status.ok())
      << "the stream wrote 2 users and ended OK (page_size is at most, not exactly); you report "
      << DescribeStatus(list.status);
  ExpectListed(list, 2);
}

TEST(ServerStreamClient, KeepsTheUsersWhenTheDeadlineCutsTheStream) {
  BrokenList service(2, End::kStall);
  LoopbackServer server(&service);
  ASSERT_TRUE(server.started());
  auto stub = course::v1::UserService::NewStub(server.Channel());
  const milliseconds timeout(600);

  const auto start = std::chrono::steady_clock::now();
  const UserList list = ListUsers(*stub, {}, CallOptions{timeout});
  const milliseconds took = Since(start);

  EXPECT_EQ(list.status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
      << "the stream wrote 2 users, then nothing for " << kStall.count()
      << " ms; with options.timeout " << timeout.count() << " ms you report "
      << DescribeStatus(list.status);
  EXPECT_LT(took.count(), 3000) << "your ListUsers took " << took.count() << " ms to return";
  ExpectListed(list, 2);
  ExpectDeadline(service.seen(), timeout);
}

}  // namespace
