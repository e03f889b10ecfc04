// The reference under concurrent load, over loopback TCP: batches that race
// each other stay all-or-nothing, and a busy chat room loses and reorders
// nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/target.h"
#include "course/v1/course.grpc.pb.h"

namespace course::harness {
namespace {

using std::chrono::seconds;

std::unique_ptr<grpc::ClientContext> Call(seconds deadline, const std::string& token = "") {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

constexpr int kRacingStreams = 8, kBatches = 6, kPerBatch = 10;

struct Batch {
  std::vector<std::string> emails;  // unique to the batch
  grpc::Status status;
  std::vector<int> ids;
};

// Stream `s` sends its kBatches batches, one CreateUsers call each, into
// `batches` (its own kBatches entries).
void SendBatches(v1::UserService::Stub& stub, int s, Batch* batches) {
  for (int b = 0; b < kBatches; ++b) {
    Batch& batch = batches[b];
    auto call = Call(seconds(20), "load-token");
    v1::CreateUsersResponse response;
    auto writer = stub.CreateUsers(call.get(), &response);
    for (int i = 0; i < kPerBatch; ++i) {
      v1::CreateUserRequest request;
      request.set_name("Load " + std::to_string(i));
      request.set_email("s" + std::to_string(s) + "b" + std::to_string(b) + "i" +
                        std::to_string(i) + "@load.example");
      batch.emails.push_back(request.email());
      writer->Write(request);
      // Interleaved failures: every third batch also claims an email that
      // batch b of every stream claims (only one can win it), and every
      // fifth ends with an invalid request.
      if (i == 4 && (s + b) % 3 == 0) {
        request.set_email("SHARED-" + std::to_string(b) + "@load.example");
        writer->Write(request);
      }
    }
    if ((s * kBatches + b) % 5 == 4) {
      v1::CreateUserRequest bad;
      bad.set_name("");
      bad.set_email("bad@load.example");
      writer->Write(bad);
    }
    writer->WritesDone();
    batch.status = writer->Finish();
    batch.ids.assign(response.ids().begin(), response.ids().end());
  }
}

TEST(ReferenceUnderLoad, RacingCreateStreamsLeaveExactlyTheSuccessfulBatches) {
  auto target = MakeLoopbackReference("load-token", 0);
  ASSERT_TRUE(target.ok()) << target.status().message();
  auto stub = v1::UserService::NewStub((*target)->Channel());
  std::vector<Batch> batches(kRacingStreams * kBatches);
  std::vector<std::thread> streams;
  for (int s = 0; s < kRacingStreams; ++s) {
    streams.emplace_back([&, s] { SendBatches(*stub, s, &batches[s * kBatches]); });
  }
  for (auto& stream : streams) stream.join();

  int succeeded = 0, failed = 0;
  std::vector<std::string> must_be_free;
  for (const Batch& batch : batches) {
    if (batch.status.ok()) {
      ++succeeded;
      ASSERT_GE(batch.ids.size(), static_cast<std::size_t>(kPerBatch));
      for (int i = 0; i < kPerBatch; ++i) {
        const int id = batch.ids[i + (i > 4 && batch.ids.size() > kPerBatch ? 1 : 0)];
        v1::GetUserRequest request;
        request.set_id(id);
        v1::User user;
        auto call = Call(seconds(5));
        ASSERT_TRUE(stub->GetUser(call.get(), request, &user).ok()) << "id " << id;
        EXPECT_EQ(user.email(), batch.emails[i]);
      }
    } else {
      ++failed;
      EXPECT_TRUE(batch.status.error_code() == grpc::StatusCode::ALREADY_EXISTS ||
                  batch.status.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
          << batch.status.error_message();
      must_be_free.insert(must_be_free.end(), batch.emails.begin(), batch.emails.end());
    }
  }
  EXPECT_GT(succeeded, 0);
  EXPECT_GT(failed, 0);
  // Nothing of a failed batch was stored: all its emails can be taken now.
  auto call = Call(seconds(20), "load-token");
  v1::CreateUsersResponse response;
  auto writer = stub->CreateUsers(call.get(), &response);
  for (const std::string& email : must_be_free) {
    v1::CreateUserRequest request;
    request.set_name("Again");
    request.set_email(email);
    writer->Write(request);
  }
  writer->WritesDone();
  grpc::Status again = writer->Finish();
  EXPECT_TRUE(again.ok()) << again.error_message();
  EXPECT_EQ(response.ids_size(), static_cast<int>(must_be_free.size()));
}

TEST(ReferenceUnderLoad, TwentyChatStreamsLoseAndReorderNothing) {
  auto target = MakeLoopbackReference("", 0);
  ASSERT_TRUE(target.ok()) << target.status().message();
  auto stub = v1::ChatService::NewStub((*target)->Channel());
  constexpr int kStreams = 20, kEach = 200, kTotal = kStreams * kEach;
  const std::string room = "load-room";

  std::vector<std::string> problems;
  std::mutex problems_mu;
  auto report = [&](const std::string& problem) {
    std::lock_guard lock(problems_mu);
    problems.push_back(problem);
  };
  std::vector<std::thread> members;
  for (int m = 0; m < kStreams; ++m) {
    members.emplace_back([&, m] {
      auto call = Call(seconds(60));
      auto stream = stub->Chat(call.get());
      const std::string me = "member" + std::to_string(m);
      // Each writer waits for its previous echo, so no stream ever has more
      // than ~kStreams messages waiting and H6 (drop slow readers) stays out
      // of the way: whatever is lost or reordered here is a real bug.
      std::mutex own_mu;
      std::condition_variable own_cv;
      int own = 0;
      std::thread writer([&] {
        for (int i = 0; i < kEach; ++i) {
          {
            std::unique_lock lock(own_mu);
            if (!own_cv.wait_for(lock, seconds(30), [&] { return own >= i; })) return;
          }
          v1::Message message;
          message.set_room(room);
          message.set_sender(me);
          message.set_text(std::to_string(i));
          if (!stream->Write(message)) return;
        }
      });
      v1::Message got;
      long last_seq = 0;
      while (last_seq < kTotal && stream->Read(&got)) {
        if (last_seq != 0 && got.seq() != last_seq + 1) {
          report(me + " saw seq " + std::to_string(got.seq()) + " after " +
                 std::to_string(last_seq));
        }
        last_seq = got.seq();
        if (got.sender() == me) {
          std::lock_guard lock(own_mu);
          if (got.text() != std::to_string(own))
            report(me + " got its echo " + got.text() + " out of order");
          ++own;
          own_cv.notify_one();
        }
      }
      writer.join();
      stream->WritesDone();
      while (stream->Read(&got)) {
      }
      grpc::Status status = stream->Finish();
      if (!status.ok()) report(me + " ended " + status.error_message());
      if (own != kEach) report(me + " got " + std::to_string(own) + " of its echoes");
      if (last_seq != kTotal) report(me + " stopped at seq " + std::to_string(last_seq));
    });
  }
  for (auto& member : members) member.join();
  for (const std::string& problem : problems) ADD_FAILURE() << problem;
}

}  // namespace
}  // namespace course::harness
