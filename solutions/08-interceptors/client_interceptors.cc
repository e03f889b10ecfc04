// Lesson 08: the client interceptor and the default deadline, solved.
#include "client_interceptors.h"

#include <string>

#include "server_interceptors.h"  // kRequestIdKey

namespace course::lesson08 {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

class ClientMetadataInterceptor final : public grpc::experimental::Interceptor {
 public:
  ClientMetadataInterceptor(grpc::experimental::ClientRpcInfo* info, const IdSource& new_id,
                            const DeadlineWarning& warn)
      : info_(info), new_id_(new_id), warn_(warn) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    // The last moment to change what the request's headers carry.
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      // What the caller added with ClientContext::AddMetadata is here.
      std::multimap<std::string, std::string>* metadata = methods->GetSendInitialMetadata();
      if (metadata->find(kRequestIdKey) == metadata->end()) {
        metadata->emplace(kRequestIdKey, new_id_());
      }
      // The deadline was fixed when the call was created, before any
      // interceptor ran: all we can do here is notice that there is none.
      if (info_->client_context()->deadline() == std::chrono::system_clock::time_point::max()) {
        warn_(std::string("no deadline: ") + info_->method());
      }
    }
    methods->Proceed();
  }

 private:
  grpc::experimental::ClientRpcInfo* info_;
  const IdSource& new_id_;  // the factory's; the channel owns the factory
  const DeadlineWarning& warn_;
};

}  // namespace

grpc::experimental::Interceptor* ClientMetadataInterceptorFactory::CreateClientInterceptor(
    grpc::experimental::ClientRpcInfo* info) {
  return new ClientMetadataInterceptor(info, new_id_, warn_);
}

std::unique_ptr<grpc::ClientContext> NewCallContext(std::chrono::milliseconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  return context;
}

}  // namespace course::lesson08
