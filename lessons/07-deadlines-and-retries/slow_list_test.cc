// Lesson 07: your ListUsers lets go of a call the moment it ends (task 2).
//
// From outside, a pause that nobody cancels looks harmless: the client has
// its DEADLINE_EXCEEDED on time either way. It shows when the server shuts
// down: a call whose alarm still waits is a call in flight, and the server
// cannot exit before it ends. So this test abandons a slow list, then stops
// your server with SIGTERM and times the exit.
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <memory>
#include <optional>
#include <string>

#include "core/child_process.h"
#include "course/v1/course.grpc.pb.h"
#include "kit/lesson_server.h"

namespace {

using std::chrono::milliseconds;

TEST(SlowList, AnAbandonedPauseDoesNotHoldUpShutdown) {
  auto server = course::harness::ChildProcess::Spawn(
      {LESSON_SERVER, "--listen", "127.0.0.1:0", "--seed", "3"});
  ASSERT_TRUE(server.ok()) << server.status().message();
  std::optional<std::string> line = (*server)->ReadLine(std::chrono::seconds(20));
  ASSERT_TRUE(line.has_value() && line->rfind("listening on ", 0) == 0)
      << "your lesson server did not print its listening line; stderr:\n"
      << (*server)->StderrTail();
  const std::string address = line->substr(std::string("listening on ").size());

  {
    // A channel of our own, closed before SIGTERM: an open connection would
    // hold up the shutdown by itself.
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    auto stub = course::v1::UserService::NewStub(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));

    // Three users 10 s apart, abandoned by a 500 ms deadline during the
    // first pause.
    course::v1::ListUsersRequest request;
    request.set_page_size(3);
    request.set_interval_ms(10000);
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + milliseconds(500));
    auto reader = stub->ListUsers(&context, request);
    course::v1::User user;
    int users = 0;
    while (reader->Read(&user)) ++users;
    grpc::Status status = reader->Finish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED)
        << "ListUsers{page_size: 3, interval_ms: 10000} under a 500 ms deadline ended "
        << status.error_code() << ": " << status.error_message();
    EXPECT_EQ(users, 1) << "the first user comes at once, the second 10 s later";
  }

  const auto start = std::chrono::steady_clock::now();
  (*server)->Signal(SIGTERM);
  std::string how;
  std::optional<int> code = (*server)->WaitExit(milliseconds(12000), &how);
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start);
  ASSERT_TRUE(code.has_value()) << "the server did not exit within 12 s of SIGTERM";
  EXPECT_EQ(*code, 0) << "after SIGTERM the server " << how;
  EXPECT_LT(took.count(), 3000)
      << "the server took " << took.count() << " ms to exit after SIGTERM: the abandoned "
      << "call was still waiting for its alarm. Cancel the alarm in OnCancel, and finish "
      << "with CANCELLED when the alarm calls back with fired == false.";
}

}  // namespace
