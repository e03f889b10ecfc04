// Lesson 08, the client side: metadata every call should carry, added in one
// place, and a default deadline for callers that forget one.
//
// The lesson's tests (lessons/08-interceptors/client_interceptors_test.cc)
// call the reference server through a channel built with this interceptor.
#ifndef LESSONS_08_INTERCEPTORS_CLIENT_INTERCEPTORS_H_
#define LESSONS_08_INTERCEPTORS_CLIENT_INTERCEPTORS_H_

#include <grpcpp/grpcpp.h>
#include <grpcpp/support/client_interceptor.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

namespace course::lesson08 {

// Makes a fresh request id for a call.
using IdSource = std::function<std::string()>;
// Receives one line per call that was started without a deadline.
using DeadlineWarning = std::function<void(const std::string& line)>;

// For every call through the channel:
//   - when the caller did not add `x-request-id`, adds one from `new_id`
//     (a caller's own id is left alone, and never doubled);
//   - when the call has no deadline, hands `warn` one line naming the
//     method:  no deadline: /course.v1.UserService/ListUsers
// An interceptor cannot give a call a deadline (see the README); the
// warning finds the callers that bypass NewCallContext.
class ClientMetadataInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  ClientMetadataInterceptorFactory(IdSource new_id, DeadlineWarning warn)
      : new_id_(std::move(new_id)), warn_(std::move(warn)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override;

 private:
  IdSource new_id_;
  DeadlineWarning warn_;
};

// The deadline a call gets when its caller does not choose one.
inline constexpr std::chrono::milliseconds kDefaultTimeout{5000};

// A ClientContext whose deadline is `timeout` from now. Make every call's
// context here; the interceptor reports the calls that did not.
std::unique_ptr<grpc::ClientContext> NewCallContext(
    std::chrono::milliseconds timeout = kDefaultTimeout);

}  // namespace course::lesson08

#endif  // LESSONS_08_INTERCEPTORS_CLIENT_INTERCEPTORS_H_
