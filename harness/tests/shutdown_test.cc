// S4's drain, timed: the reference server as a child process, SIGTERM, and
// the time until it exits. Without a client, and with a client that keeps
// its connection open after a failed call, the server exits at once (it
// used to wait its whole 5 s grace period for the idle connection); a call
// in flight at SIGTERM still finishes, with OK, and then the server exits.
//
// The bounds are generous (a shared, loaded machine): "at once" is under
// 3 s, well apart from the 5 s it took before.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <string>
#include <thread>

#include "core/child_process.h"
#include "course/v1/course.grpc.pb.h"

namespace course::harness {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kPrompt(3000);  // the grace period is 5 s

struct Server {
  std::unique_ptr<ChildProcess> process;
  std::string address;
};

Server Start() {
  Server server;
  auto process = ChildProcess::Spawn(
      {COURSE_REFERENCE_SERVER, "--listen", "127.0.0.1:0", "--quiet", "--seed", "3"});
  if (!process.ok()) {
    ADD_FAILURE() << process.status().message();
    return server;
  }
  server.process = std::move(*process);
  auto line = server.process->ReadLine(seconds(30));
  const std::string prefix = "listening on ";
  if (!line.has_value() || line->rfind(prefix, 0) != 0) {
    ADD_FAILURE() << "no listening line: " << server.process->StderrTail();
    return server;
  }
  server.address = line->substr(prefix.size());
  return server;
}

// SIGTERM, then the time until the process has exited (with status 0).
milliseconds TermToExit(ChildProcess& process) {
  const auto start = Clock::now();
  process.Signal(SIGTERM);
  std::string how;
  const auto code = process.WaitExit(seconds(20), &how);
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  EXPECT_EQ(code, 0) << how << "\n" << process.StderrTail();
  return took;
}

std::unique_ptr<grpc::ClientContext> Call(seconds deadline) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  return context;
}

TEST(Shutdown, WithoutAClientTheServerExitsAtOnce) {
  Server server = Start();
  ASSERT_NE(server.process, nullptr);
  const milliseconds took = TermToExit(*server.process);
  RecordProperty("term_to_exit_ms", static_cast<int>(took.count()));
  std::cout << "SIGTERM to exit, no client: " << took.count() << " ms\n";
  EXPECT_LT(took, kPrompt);
}

TEST(Shutdown, AnIdleClientAfterAnErrorDoesNotHoldTheServerUp) {
  Server server = Start();
  ASSERT_NE(server.process, nullptr);
  auto channel = grpc::CreateChannel(server.address, grpc::InsecureChannelCredentials());
  auto stub = v1::UserService::NewStub(channel);
  v1::GetUserRequest request;
  request.set_id(999999);
  v1::User user;
  auto call = Call(seconds(10));
  ASSERT_EQ(stub->GetUser(call.get(), request, &user).error_code(), grpc::StatusCode::NOT_FOUND);
  // The channel stays open (and idle) across the shutdown.
  const milliseconds took = TermToExit(*server.process);
  RecordProperty("term_to_exit_ms", static_cast<int>(took.count()));
  std::cout << "SIGTERM to exit, idle client: " << took.count() << " ms\n";
  EXPECT_LT(took, kPrompt);
}

TEST(Shutdown, ACallInFlightStillFinishes) {
  Server server = Start();
  ASSERT_NE(server.process, nullptr);
  auto stub = v1::UserService::NewStub(
      grpc::CreateChannel(server.address, grpc::InsecureChannelCredentials()));
  // Three users, 300 ms apart: the call lasts about 600 ms.
  v1::ListUsersRequest request;
  request.set_interval_ms(300);
  auto call = Call(seconds(20));
  auto reader = stub->ListUsers(call.get(), request);
  v1::User user;
  ASSERT_TRUE(reader->Read(&user));  // the call is in flight now
  const auto start = Clock::now();
  std::thread term([&] { server.process->Signal(SIGTERM); });
  int users = 1;
  while (reader->Read(&user)) ++users;
  const grpc::Status status = reader->Finish();
  const auto finished = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  term.join();
  EXPECT_TRUE(status.ok()) << status.error_code() << " " << status.error_message();
  EXPECT_EQ(users, 3);
  std::string how;
  EXPECT_EQ(server.process->WaitExit(seconds(20), &how), 0) << how;
  std::cout << "a call in flight at SIGTERM finished after " << finished.count() << " ms\n";
}

}  // namespace
}  // namespace course::harness
