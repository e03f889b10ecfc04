// A bare echo server of the same API style as the reference (the callback
// API): GetUser answers one fixed user, with no store, no validation, no
// interceptors, no health or reflection service. Measured against the
// reference, it shows what the contract's work costs per call.
#ifndef COURSE_HARNESS_BENCH_BARE_SERVER_H_
#define COURSE_HARNESS_BENCH_BARE_SERVER_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "course/v1/course.grpc.pb.h"

namespace course::bench {

class BareUserService final : public v1::UserService::CallbackService {
 public:
  BareUserService();
  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const v1::GetUserRequest* request, v1::User* response) override;

 private:
  v1::User fixed_;
};

class BareServer {
 public:
  // Listens on `listen` (port 0: a free port); nullptr when it cannot.
  static std::unique_ptr<BareServer> Start(const std::string& listen = "127.0.0.1:0");
  ~BareServer();

  const std::string& address() const { return address_; }
  std::shared_ptr<grpc::Channel> InProcessChannel(
      const grpc::ChannelArguments& args = grpc::ChannelArguments());

 private:
  BareServer() = default;
  BareUserService service_;
  std::unique_ptr<grpc::Server> server_;
  std::string address_;
};

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_BARE_SERVER_H_
