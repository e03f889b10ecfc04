#include "mutants/interop_mutants.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace course::mutants {

using grpc::testing::Empty;
using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingInputCallResponse;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

bool IsInteropFault(const std::string& fault) { return absl::StartsWith(fault, "interop."); }

namespace {

const grpc::Status kStuck(grpc::StatusCode::UNAVAILABLE,
                          "the server is still busy with a call the client abandoned");

grpc::ServerUnaryReactor* FinishNow(grpc::CallbackServerContext* context,
                                    const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

// StreamingInputCall done wrong in one of three ways: the sum holds only the
// last message (client_streaming), a message marked expect_compressed is
// refused as if nothing ever arrived compressed (client_compressed_streaming),
// or a cancelled call is never let go (cancel_after_begin).
class FaultyInputReactor final : public grpc::ServerReadReactor<StreamingInputCallRequest> {
 public:
  FaultyInputReactor(MutantTestService& service, std::string fault,
                     StreamingInputCallResponse* response)
      : service_(service), fault_(std::move(fault)), response_(response) {
    if (fault_ == "interop.cancel_after_begin") {
      if (service_.busy.exchange(true)) {
        Finish(kStuck);
        return;
      }
      holds_slot_ = true;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      response_->set_aggregated_payload_size(total_);
      Finish(grpc::Status::OK);
      return;
    }
    if (fault_ == "interop.client_compressed_streaming" && incoming_.expect_compressed().value()) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "the request was not compressed"));
      return;
    }
    const auto size = static_cast<std::int32_t>(incoming_.payload().body().size());
    total_ = fault_ == "interop.client_streaming" ? size : total_ + size;
    StartRead(&incoming_);
  }

  // OnCancel, when it comes, comes before OnDone: a cancelled call keeps
  // the slot for good.
  void OnCancel() override { cancelled_ = true; }

  void OnDone() override {
    if (holds_slot_ && !cancelled_) service_.busy = false;
    delete this;
  }

 private:
  MutantTestService& service_;
  const std::string fault_;
  bool holds_slot_ = false;
  std::atomic<bool> cancelled_{false};
  StreamingInputCallResponse* response_;
  StreamingInputCallRequest incoming_;
  std::int32_t total_ = 0;
};

// FullDuplexCall, answering each request's parameters at once (no
// intervals), done wrong in one of two ways: an empty stream still gets one
// response (empty_stream), or a cancelled or timed-out call is never let go
// (cancel_after_first_response, timeout_on_sleeping_server).
class FaultyDuplexReactor final
    : public grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse> {
 public:
  FaultyDuplexReactor(MutantTestService& service, std::string fault)
      : service_(service), fault_(std::move(fault)) {
    if (fault_ != "interop.empty_stream") {
      if (service_.busy.exchange(true)) {
        Finish(kStuck);
        return;
      }
      holds_slot_ = true;
    }
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      if (fault_ == "interop.empty_stream" && !answered_) {
        answered_ = extra_ = true;
        StartWrite(&outgoing_);  // one response nobody asked for
        return;
      }
      Finish(grpc::Status::OK);
      return;
    }
    pending_ = incoming_.response_parameters_size();
    next_ = 0;
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    if (extra_) {  // the unasked-for response of empty_stream went out
      Finish(grpc::Status::OK);
      return;
    }
    WriteNext();
  }

  void OnCancel() override { cancelled_ = true; }

  void OnDone() override {
    if (holds_slot_ && !cancelled_) service_.busy = false;
    delete this;
  }

 private:
  void WriteNext() {
    if (next_ >= pending_) {
      StartRead(&incoming_);
      return;
    }
    answered_ = true;
    *outgoing_.mutable_payload() =
        interop::ZeroPayload(incoming_.response_parameters(next_++).size());
    StartWrite(&outgoing_);
  }

  MutantTestService& service_;
  const std::string fault_;
  bool holds_slot_ = false;
  std::atomic<bool> cancelled_{false};
  StreamingOutputCallRequest incoming_;
  StreamingOutputCallResponse outgoing_;
  int pending_ = 0;
  int next_ = 0;
  bool answered_ = false;
  bool extra_ = false;
};

class DropEchoInitial final : public grpc::experimental::Interceptor {
 public:
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->erase(interop::kEchoInitial);
    }
    methods->Proceed();
  }
};

}  // namespace

grpc::ServerUnaryReactor* MutantTestService::EmptyCall(grpc::CallbackServerContext* context,
                                                       const Empty* request, Empty* response) {
  if (fault_ == "interop.empty_unary") {
    return FinishNow(context, grpc::Status(grpc::StatusCode::INTERNAL, "EmptyCall is broken"));
  }
  return TestServiceImpl::EmptyCall(context, request, response);
}

grpc::ServerUnaryReactor* MutantTestService::UnaryCall(grpc::CallbackServerContext* context,
                                                       const SimpleRequest* request,
                                                       SimpleResponse* response) {
  // The reference answers before it returns and keeps no pointer to the
  // request, so a changed copy on the stack is safe to hand on.
  SimpleRequest changed = *request;
  const int call = ++unary_calls_;
  if (fault_ == "interop.large_unary" || (fault_ == "interop.rpc_soak" && call > 5)) {
    changed.set_response_size(request->response_size() - 1);
  } else if (fault_ == "interop.client_compressed_unary" && request->expect_compressed().value()) {
    return FinishNow(context, grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                                           "the request was not compressed"));
  } else if (fault_ == "interop.server_compressed_unary") {
    changed.clear_response_compressed();
  } else if (fault_ == "interop.status_code_and_message" &&
             request->response_status().code() != 0) {
    changed.mutable_response_status()->set_code(grpc::StatusCode::INTERNAL);
  } else if (fault_ == "interop.special_status_message") {
    changed.mutable_response_status()->set_message(
        std::string(absl::StripAsciiWhitespace(request->response_status().message())));
  } else if (fault_ == "interop.channel_soak") {
    std::lock_guard lock(mu_);
    peers_.insert(context->peer());
    if (peers_.size() > 3) {
      return FinishNow(context, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                             "no more than 3 connections are served"));
    }
  }
  return TestServiceImpl::UnaryCall(context, &changed, response);
}

grpc::ServerWriteReactor<StreamingOutputCallResponse>* MutantTestService::StreamingOutputCall(
    grpc::CallbackServerContext* context, const StreamingOutputCallRequest* request) {
  // The reference copies what it needs from the request before returning.
  StreamingOutputCallRequest changed = *request;
  if (fault_ == "interop.server_streaming" && changed.response_parameters_size() > 0) {
    changed.mutable_response_parameters()->RemoveLast();
  } else if (fault_ == "interop.server_compressed_streaming") {
    for (auto& parameters : *changed.mutable_response_parameters()) {
      parameters.mutable_compressed()->set_value(true);
    }
  }
  return TestServiceImpl::StreamingOutputCall(context, &changed);
}

grpc::ServerReadReactor<StreamingInputCallRequest>* MutantTestService::StreamingInputCall(
    grpc::CallbackServerContext* context, StreamingInputCallResponse* response) {
  if (fault_ == "interop.client_streaming" || fault_ == "interop.client_compressed_streaming" ||
      fault_ == "interop.cancel_after_begin") {
    return new FaultyInputReactor(*this, fault_, response);
  }
  return TestServiceImpl::StreamingInputCall(context, response);
}

grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse>*
MutantTestService::FullDuplexCall(grpc::CallbackServerContext* context) {
  // ping_pong: every request is answered only after the half-close.
  if (fault_ == "interop.ping_pong") return TestServiceImpl::HalfDuplexCall(context);
  if (fault_ == "interop.empty_stream" || fault_ == "interop.cancel_after_first_response" ||
      fault_ == "interop.timeout_on_sleeping_server") {
    return new FaultyDuplexReactor(*this, fault_);
  }
  return TestServiceImpl::FullDuplexCall(context);
}

grpc::ServerUnaryReactor* MutantTestService::UnimplementedCall(grpc::CallbackServerContext* context,
                                                               const Empty* request,
                                                               Empty* response) {
  if (fault_ == "interop.unimplemented_method") return FinishNow(context, grpc::Status::OK);
  return TestServiceImpl::UnimplementedCall(context, request, response);
}

grpc::ServerUnaryReactor* ImplementedUnimplementedService::UnimplementedCall(
    grpc::CallbackServerContext* context, const Empty* /*request*/, Empty* /*response*/) {
  return FinishNow(context, grpc::Status::OK);
}

grpc::experimental::Interceptor* DropEchoInitialFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* /*info*/) {
  return new DropEchoInitial;
}

}  // namespace course::mutants
