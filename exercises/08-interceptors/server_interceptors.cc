// Lesson 08: the server interceptors. Read lessons/08-interceptors/README.md
// first; check your work with `./course check 08`.
#include "server_interceptors.h"

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <string>

#include "service/interceptors.h"  // StatusCodeName, if you want it

namespace course::lesson08 {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

// TODO(task 1): an Interceptor that
//   - at POST_RECV_INITIAL_METADATA copies `x-request-id` out of
//     methods->GetRecvInitialMetadata() (if the client sent one),
//   - at PRE_SEND_INITIAL_METADATA adds it to methods->GetSendInitialMetadata(),
//   - at PRE_SEND_STATUS, if no initial metadata went out (a trailers-only
//     error), adds it to methods->GetSendTrailingMetadata() instead,
//   - and always ends Intercept with methods->Proceed().

// TODO(task 2): an Interceptor that remembers when the call arrived and, at
//   PRE_SEND_STATUS, hands sink_ one line:
//     call METHOD peer=PEER code=CODE ms=MILLISECONDS
//   (info->method(), info->server_context()->peer(),
//   methods->GetSendStatus().error_code() by name, e.g. NOT_FOUND).

}  // namespace

grpc::experimental::Interceptor* RequestIdInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* /*info*/) {
  // TODO(task 1): return a new request-id interceptor. nullptr means "no
  //               interceptor for this call".
  return nullptr;
}

grpc::experimental::Interceptor* CallLogInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* /*info*/) {
  // TODO(task 2): return a new call-log interceptor writing to sink_.
  return nullptr;
}

}  // namespace course::lesson08
