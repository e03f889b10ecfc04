// Lesson 08: the client interceptor and the default deadline.
#include "client_interceptors.h"

#include <string>

#include "server_interceptors.h"  // kRequestIdKey

namespace course::lesson08 {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

// TODO(task 4): an Interceptor that, at PRE_SEND_INITIAL_METADATA, adds
//   `x-request-id: new_id_()` to methods->GetSendInitialMetadata() unless
//   the caller already put one there, then calls methods->Proceed().
// TODO(task 5): in the same hook, when info->client_context()->deadline() is
//   std::chrono::system_clock::time_point::max() (no deadline), call
//   warn_("no deadline: " + method).

}  // namespace

grpc::experimental::Interceptor* ClientMetadataInterceptorFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* /*info*/) {
  // TODO(task 4): return a new interceptor for this call (nullptr: none).
  return nullptr;
}

std::unique_ptr<grpc::ClientContext> NewCallContext(std::chrono::milliseconds timeout) {
  // TODO(task 5): set the context's deadline to now + timeout.
  (void)timeout;
  return std::make_unique<grpc::ClientContext>();
}

}  // namespace course::lesson08
