// The interop test service with one fault per interop case
// (`--break interop.<case>`): a subclass of the reference's TestServiceImpl
// that overrides the one RPC the case exercises, a service for
// unimplemented_service, and an interceptor for custom_metadata.
#ifndef COURSE_HARNESS_SELFTEST_MUTANTS_INTEROP_MUTANTS_H_
#define COURSE_HARNESS_SELFTEST_MUTANTS_INTEROP_MUTANTS_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "interop/test_service.h"

namespace course::mutants {

// Whether `fault` is one of the interop service's ("interop.<case>").
bool IsInteropFault(const std::string& fault);

class MutantTestService final : public interop::TestServiceImpl {
 public:
  explicit MutantTestService(std::string fault) : fault_(std::move(fault)) {}

  grpc::ServerUnaryReactor* EmptyCall(grpc::CallbackServerContext* context,
                                      const grpc::testing::Empty* request,
                                      grpc::testing::Empty* response) override;
  grpc::ServerUnaryReactor* UnaryCall(grpc::CallbackServerContext* context,
                                      const grpc::testing::SimpleRequest* request,
                                      grpc::testing::SimpleResponse* response) override;
  grpc::ServerWriteReactor<grpc::testing::StreamingOutputCallResponse>* StreamingOutputCall(
      grpc::CallbackServerContext* context,
      const grpc::testing::StreamingOutputCallRequest* request) override;
  grpc::ServerReadReactor<grpc::testing::StreamingInputCallRequest>* StreamingInputCall(
      grpc::CallbackServerContext* context,
      grpc::testing::StreamingInputCallResponse* response) override;
  grpc::ServerBidiReactor<grpc::testing::StreamingOutputCallRequest,
                          grpc::testing::StreamingOutputCallResponse>*
  FullDuplexCall(grpc::CallbackServerContext* context) override;
  grpc::ServerUnaryReactor* UnimplementedCall(grpc::CallbackServerContext* context,
                                              const grpc::testing::Empty* request,
                                              grpc::testing::Empty* response) override;

  // The one call slot of the faults that never let go of an abandoned call:
  // taken when such a call starts, given back only when it ends without a
  // cancel (or a passed deadline). While it is taken, new calls fail.
  std::atomic<bool> busy{false};

 private:
  const std::string fault_;
  std::atomic<int> unary_calls_{0};
  std::mutex mu_;
  std::set<std::string> peers_;  // interop.channel_soak
};

// interop.unimplemented_service: UnimplementedService/UnimplementedCall is OK.
class ImplementedUnimplementedService final
    : public grpc::testing::UnimplementedService::CallbackService {
 public:
  grpc::ServerUnaryReactor* UnimplementedCall(grpc::CallbackServerContext* context,
                                              const grpc::testing::Empty* request,
                                              grpc::testing::Empty* response) override;
};

// interop.custom_metadata: drops x-grpc-test-echo-initial from every
// response's initial metadata.
class DropEchoInitialFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

}  // namespace course::mutants

#endif  // COURSE_HARNESS_SELFTEST_MUTANTS_INTEROP_MUTANTS_H_
