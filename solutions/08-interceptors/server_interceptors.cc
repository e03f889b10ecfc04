// Lesson 08: the server interceptors, solved.
#include "server_interceptors.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "service/interceptors.h"  // StatusCodeName

namespace course::lesson08 {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

// One instance per call. gRPC calls Intercept once per batch of operations,
// so several hook points can be set in one call: check each of them.
class RequestIdInterceptor final : public grpc::experimental::Interceptor {
 public:
  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      // string_refs point into gRPC's buffers: copy the value out.
      const auto* received = methods->GetRecvInitialMetadata();
      if (auto it = received->find(kRequestIdKey); it != received->end()) {
        id_.assign(it->second.data(), it->second.size());
        has_id_ = true;
      }
    }
    if (has_id_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace(kRequestIdKey, id_);
      sent_in_headers_ = true;
    }
    // A handler that finishes with an error before writing anything sends a
    // trailers-only response: no initial metadata went out, so the id rides
    // in the trailers.
    if (has_id_ && !sent_in_headers_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      methods->GetSendTrailingMetadata()->emplace(kRequestIdKey, id_);
    }
    methods->Proceed();  // every Intercept ends in Proceed (or Hijack)
  }

 private:
  std::string id_;
  bool has_id_ = false;
  bool sent_in_headers_ = false;
};

class CallLogInterceptor final : public grpc::experimental::Interceptor {
 public:
  CallLogInterceptor(grpc::experimental::ServerRpcInfo* info, const LogSink& sink)
      : info_(info), sink_(sink), start_(std::chrono::steady_clock::now()) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    // The status is known, and not yet sent: the line is complete before the
    // client can see the end of the call.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      const double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
              .count();
      char duration[32];
      std::snprintf(duration, sizeof duration, "%.2f", ms);
      sink_("call " + std::string(info_->method()) + " peer=" + info_->server_context()->peer() +
            " code=" + service::StatusCodeName(status.error_code()) + " ms=" + duration);
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ServerRpcInfo* info_;  // owned by gRPC, lives as long as the call
  const LogSink& sink_;                      // the factory's, which outlives the server
  const std::chrono::steady_clock::time_point start_;
};

}  // namespace

// gRPC creates one interceptor per call, when the call arrives, and deletes
// it when the call is over.
grpc::experimental::Interceptor* RequestIdInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* /*info*/) {
  return new RequestIdInterceptor();
}

grpc::experimental::Interceptor* CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new CallLogInterceptor(info, sink_);
}

}  // namespace course::lesson08
