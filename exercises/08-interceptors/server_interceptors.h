// Lesson 08: the server's cross-cutting rules as interceptors, so that no
// handler has to remember them.
//
// user_service.cc registers both factories for every call of the server;
// the lesson's tests (lessons/08-interceptors/server_interceptors_test.cc)
// put them in front of the reference services and read what comes out.
#ifndef LESSONS_08_INTERCEPTORS_SERVER_INTERCEPTORS_H_
#define LESSONS_08_INTERCEPTORS_SERVER_INTERCEPTORS_H_

#include <grpcpp/support/server_interceptor.h>

#include <functional>
#include <string>

namespace course::lesson08 {

inline constexpr char kRequestIdKey[] = "x-request-id";

// M1: a call whose request metadata has `x-request-id` gets the same value
// back in the response's initial metadata or, when the response turns out
// to be trailers-only (an error before anything was sent), in the trailers.
class RequestIdInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;
};

// Receives one finished line per call.
using LogSink = std::function<void(const std::string& line)>;

// One line per call, handed to the sink when the call's status is sent:
//   call /course.v1.UserService/GetUser peer=ipv4:127.0.0.1:5123 code=NOT_FOUND ms=0.21
// method as gRPC names it, the peer's address, the status code by its
// canonical name, and the milliseconds since the call reached the server.
class CallLogInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallLogInterceptorFactory(LogSink sink) : sink_(std::move(sink)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  LogSink sink_;
};

}  // namespace course::lesson08

#endif  // LESSONS_08_INTERCEPTORS_SERVER_INTERCEPTORS_H_
