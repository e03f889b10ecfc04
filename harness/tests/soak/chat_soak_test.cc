// The chat hub under a crowd: 100 clients in 10 rooms, every room getting
// COURSE_SOAK_ROOM_MESSAGES messages (ctest 200, `./course soak` 1,000),
// sent at full speed by the room's 10 clients while all of them read at
// full speed. Every stream must receive every message of its room from its
// join on, in seq order with no gaps (H3, H4), or be ended with
// RESOURCE_EXHAUSTED as a slow reader (H6); the test reports how many were.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "course/v1/course.grpc.pb.h"
#include "tests/soak/soak_support.h"

namespace course::soak {
namespace {

constexpr int kRooms = 10, kPerRoom = 10, kChannels = 10;

// Every client waits here until all have joined their rooms, so that each
// one is a member before the first message is sent.
class Barrier {
 public:
  explicit Barrier(int count) : left_(count) {}
  void Arrive() {
    std::lock_guard lock(mu_);
    if (--left_ == 0) cv_.notify_all();
  }
  bool Wait(std::chrono::seconds within) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, within, [&] { return left_ <= 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int left_;
};

struct Outcome {
  grpc::Status status;
  std::int64_t received = 0;  // messages of its room, its own join included
  std::string problem;        // a gap, a reordering, a missing message
};

Outcome RunClient(v1::ChatService::Stub& stub, int client, int per_room, Barrier& joined) {
  Outcome outcome;
  const std::string room = "room" + std::to_string(client % kRooms);
  const std::string me = "c" + std::to_string(client);
  const std::int64_t last_seq = kPerRoom + per_room;  // the joins, then the load
  auto context = Call(std::chrono::milliseconds(180000));
  auto stream = stub.Chat(context.get());
  v1::Message message;
  message.set_room(room);
  message.set_sender(me);
  message.set_text("join");
  if (!stream->Write(message)) {
    joined.Arrive();
    outcome.status = stream->Finish();
    outcome.problem = "could not join";
    return outcome;
  }
  std::thread writer([&] {
    if (!joined.Wait(std::chrono::seconds(120))) return;
    for (int i = 0; i < per_room / kPerRoom; ++i) {
      message.set_text(std::to_string(i));
      if (!stream->Write(message)) return;
    }
  });
  v1::Message got;
  std::int64_t expect = 0;  // the next seq; 0 until the join's echo
  bool arrived = false;
  while (expect <= last_seq && stream->Read(&got)) {
    if (expect == 0 && got.sender() == me) expect = got.seq();
    if (!arrived && expect != 0) {
      joined.Arrive();
      arrived = true;
    }
    if (expect == 0) continue;
    if (got.seq() != expect && outcome.problem.empty()) {
      outcome.problem =
          me + " got seq " + std::to_string(got.seq()) + ", expected " + std::to_string(expect);
    }
    expect = got.seq() + 1;
    ++outcome.received;
  }
  if (!arrived) joined.Arrive();
  writer.join();
  stream->WritesDone();
  while (stream->Read(&got)) {
  }
  outcome.status = stream->Finish();
  if (outcome.status.ok() && expect != last_seq + 1 && outcome.problem.empty()) {
    outcome.problem = me + " stopped before seq " + std::to_string(last_seq);
  }
  return outcome;
}

TEST(Soak, AHundredChatClientsInTenRoomsReceiveEveryMessageInOrder) {
  const int per_room = SizeFromEnv("COURSE_SOAK_ROOM_MESSAGES", 200) / kPerRoom * kPerRoom;
  auto server = ServerProcess::Start(0);
  ASSERT_NE(server, nullptr);
  std::vector<std::unique_ptr<v1::ChatService::Stub>> stubs;
  for (int c = 0; c < kChannels; ++c)
    stubs.push_back(v1::ChatService::NewStub(server->NewChannel(c)));
  constexpr int kClients = kRooms * kPerRoom;
  Barrier joined(kClients);
  std::vector<Outcome> outcomes(kClients);
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back(
        [&, c] { outcomes[c] = RunClient(*stubs[c % kChannels], c, per_room, joined); });
  }
  for (auto& client : clients) client.join();
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);

  int whole = 0, exhausted = 0;
  std::int64_t delivered = 0;
  for (const Outcome& outcome : outcomes) {
    delivered += outcome.received;
    if (outcome.status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      ++exhausted;  // H6: a slow reader, dropped; what it got was still in order
      EXPECT_TRUE(outcome.problem.empty() || outcome.problem.find("stopped") != std::string::npos)
          << outcome.problem;
      continue;
    }
    EXPECT_TRUE(outcome.status.ok()) << outcome.status.error_message();
    EXPECT_TRUE(outcome.problem.empty()) << outcome.problem;
    if (outcome.status.ok() && outcome.problem.empty()) ++whole;
  }
  std::cout << kClients << " chat clients, " << kRooms << " rooms x " << per_room
            << " messages: " << whole << " received all in order, " << exhausted
            << " ended RESOURCE_EXHAUSTED (H6); " << delivered << " deliveries in " << took.count()
            << " ms\n";
  RecordProperty("resource_exhausted", exhausted);
  EXPECT_EQ(whole + exhausted, kClients);
  // Reading at full speed, no stream should fall 1,024 messages behind.
  EXPECT_EQ(exhausted, 0);
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace course::soak
