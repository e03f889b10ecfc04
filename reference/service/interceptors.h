// Cross-cutting rules as server interceptors: the request-id echo (M1) and
// one log line per call.
//
// Token auth (M2) is not an interceptor here: gRPC C++ 1.51 server
// interceptors cannot end a call with a status of their choosing before the
// handler runs, and M2 demands that nothing be stored. It is a TokenPolicy
// (user_service.h) that the CreateUsers handler consults first.
#ifndef COURSE_REFERENCE_SERVICE_INTERCEPTORS_H_
#define COURSE_REFERENCE_SERVICE_INTERCEPTORS_H_

#include <grpcpp/support/server_interceptor.h>

#include <cstdio>
#include <memory>

namespace course::service {

inline constexpr char kRequestIdKey[] = "x-request-id";

// M1: copies `x-request-id` from the request into the response's initial
// metadata (and into the trailers, for responses that end up trailers-only).
class RequestIdInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

// One line per finished call on `sink`:
//   call /course.v1.UserService/GetUser peer=ipv4:127.0.0.1:5123 code=NOT_FOUND ms=0.21
class CallLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallLogInterceptorFactory(std::FILE* sink) : sink_(sink) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::FILE* sink_;
};

// The name of a status code as the gRPC documentation spells it.
const char* StatusCodeName(int code);

}  // namespace course::service

#endif  // COURSE_REFERENCE_SERVICE_INTERCEPTORS_H_
