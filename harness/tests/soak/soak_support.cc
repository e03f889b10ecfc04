#include "tests/soak/soak_support.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace course::soak {

std::unique_ptr<ServerProcess> ServerProcess::Start(int seed) {
  auto process =
      harness::ChildProcess::Spawn({COURSE_REFERENCE_SERVER, "--listen", "127.0.0.1:0", "--quiet",
                                    "--token", kToken, "--seed", std::to_string(seed)});
  if (!process.ok()) {
    ADD_FAILURE() << "cannot start the reference: " << process.status().message();
    return nullptr;
  }
  auto line = (*process)->ReadLine(std::chrono::seconds(30));
  const std::string prefix = "listening on ";
  if (!line.has_value() || line->rfind(prefix, 0) != 0) {
    ADD_FAILURE() << "the reference never said it was listening: " << (*process)->StderrTail();
    return nullptr;
  }
  std::unique_ptr<ServerProcess> server(new ServerProcess());
  server->process_ = std::move(*process);
  server->address_ = line->substr(prefix.size());
  return server;
}

std::int64_t ServerProcess::RssKib() const {
  std::ifstream status("/proc/" + std::to_string(process_->pid()) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      std::istringstream fields(line.substr(6));
      std::int64_t kib = 0;
      fields >> kib;
      return kib;
    }
  }
  return 0;
}

std::shared_ptr<grpc::Channel> ServerProcess::NewChannel(int index) const {
  // A channel argument of its own keeps gRPC from sharing one connection
  // between channels to the same address.
  grpc::ChannelArguments args;
  args.SetInt("course.soak.channel", index);
  return grpc::CreateCustomChannel(address_, grpc::InsecureChannelCredentials(), args);
}

int ServerProcess::Stop() {
  process_->Signal(SIGTERM);
  std::string how;
  const auto code = process_->WaitExit(std::chrono::seconds(20), &how);
  return code.value_or(-1);
}

int SizeFromEnv(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  const int value = std::atoi(text);
  return value > 0 ? value : fallback;
}

std::unique_ptr<grpc::ClientContext> Call(std::chrono::milliseconds within, bool token) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + within);
  // The server is known to be up: a connect that fails once under load (seen
  // as "failed to connect to all addresses" on loopback) is retried rather
  // than ending the call, and the deadline still bounds the wait.
  context->set_wait_for_ready(true);
  if (token) context->AddMetadata("authorization", std::string("Bearer ") + kToken);
  return context;
}

}  // namespace course::soak
