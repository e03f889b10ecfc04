#include "interop/test_service.h"

#include <grpcpp/alarm.h>

#include <chrono>
#include <deque>
#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "grpc/testing/test.pb.h"

namespace course::interop {

using grpc::testing::Empty;
using grpc::testing::ResponseParameters;
using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingInputCallResponse;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

void LinkTestProtoDescriptor() {
  // A volatile store cannot be left out, so the table's address (and with it
  // test.pb.cc) is linked.
  const void* volatile table = &::descriptor_table_grpc_2ftesting_2ftest_2eproto;
  (void)table;
}

grpc::testing::Payload ZeroPayload(int size) {
  grpc::testing::Payload payload;
  payload.set_type(grpc::testing::COMPRESSABLE);
  payload.set_body(std::string(static_cast<std::size_t>(size), '\0'));
  return payload;
}

void EchoMetadata(grpc::CallbackServerContext* context) {
  const auto& metadata = context->client_metadata();
  for (auto [it, end] = metadata.equal_range(kEchoInitial); it != end; ++it) {
    context->AddInitialMetadata(kEchoInitial, std::string(it->second.data(), it->second.size()));
  }
  // A -bin value arrives decoded from base64; gRPC encodes it again.
  for (auto [it, end] = metadata.equal_range(kEchoTrailing); it != end; ++it) {
    context->AddTrailingMetadata(kEchoTrailing, std::string(it->second.data(), it->second.size()));
  }
}

grpc::Status CheckResponseType(grpc::testing::PayloadType type) {
  if (type == grpc::testing::COMPRESSABLE) return grpc::Status::OK;
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                      absl::StrCat("response_type ", static_cast<int>(type),
                                   " is not served; only COMPRESSABLE (0)"));
}

namespace {

// Echo Status: a response_status with a non-zero code ends the call with it.
bool WantsStatus(const grpc::testing::EchoStatus& status, grpc::Status* out) {
  if (status.code() == 0) return false;
  *out = grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
  return true;
}

grpc::Status CheckSizes(const StreamingOutputCallRequest& request) {
  if (grpc::Status type = CheckResponseType(request.response_type()); !type.ok()) return type;
  for (const ResponseParameters& parameters : request.response_parameters()) {
    if (parameters.size() < 0 || parameters.interval_us() < 0) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "response_parameters: size and interval_us must not be negative");
    }
  }
  return grpc::Status::OK;
}

// Whether any parameter asks for a compressed response. gRPC C++ fixes a
// call's compression with its initial metadata, so the call is set to gzip
// before anything is sent, and each message that must not be compressed is
// written with no_compression.
bool AnyCompressed(const StreamingOutputCallRequest& request) {
  for (const ResponseParameters& parameters : request.response_parameters()) {
    if (parameters.compressed().value()) return true;
  }
  return false;
}

// Sends queued responses one at a time, each after its interval_us (an alarm,
// so that a cancelled call does not keep a thread asleep). `Base` is a
// ServerWriteReactor or a ServerBidiReactor of StreamingOutputCallResponse.
//
// At most one operation of this class is outstanding (a write or the alarm);
// a subclass starts a read only while nothing is queued, so exactly one path
// reaches Finish.
template <class Base>
class PacedSender : public Base {
 public:
  void OnWriteDone(bool ok) override {
    if (!ok) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    queue_.pop_front();
    SendNext();
  }

  void OnCancel() override {
    bool cancel_alarm = false;
    {
      std::lock_guard lock(mu_);
      cancelled_ = true;
      cancel_alarm = waiting_;
    }
    if (cancel_alarm) alarm_.Cancel();
  }

  void OnDone() override { delete this; }

 protected:
  explicit PacedSender(grpc::CallbackServerContext* context) : context_(context) {}

  void Enqueue(const StreamingOutputCallRequest& request, bool first) {
    if (first && AnyCompressed(request)) context_->set_compression_algorithm(GRPC_COMPRESS_GZIP);
    for (const ResponseParameters& parameters : request.response_parameters()) {
      queue_.push_back(parameters);
    }
  }

  // Sends the next queued response, or calls AllSent() when none is left.
  void SendNext() {
    if (queue_.empty()) {
      AllSent();
      return;
    }
    const auto interval = std::chrono::microseconds(queue_.front().interval_us());
    if (interval.count() == 0) {
      WriteFront();
      return;
    }
    bool cancelled = false;
    {
      std::lock_guard lock(mu_);
      cancelled = cancelled_;
      if (!cancelled) {
        // Armed under the lock so that OnCancel always finds a set alarm.
        waiting_ = true;
        alarm_.Set(std::chrono::system_clock::now() + interval,
                   [this](bool fired) { AfterPause(fired); });
      }
    }
    if (cancelled) this->Finish(grpc::Status::CANCELLED);
  }

  virtual void AllSent() = 0;

 private:
  void AfterPause(bool fired) {
    bool stop = false;
    {
      std::lock_guard lock(mu_);
      waiting_ = false;
      stop = !fired || cancelled_;
    }
    if (stop) {
      this->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the call ended during a pause"));
      return;
    }
    WriteFront();
  }

  void WriteFront() {
    const ResponseParameters& parameters = queue_.front();
    *outgoing_.mutable_payload() = ZeroPayload(parameters.size());
    grpc::WriteOptions options;
    if (!parameters.compressed().value()) options.set_no_compression();
    this->StartWrite(&outgoing_, options);
  }

  grpc::CallbackServerContext* context_;
  std::deque<ResponseParameters> queue_;
  StreamingOutputCallResponse outgoing_;
  grpc::Alarm alarm_;
  std::mutex mu_;
  bool cancelled_ = false;
  bool waiting_ = false;
};

// StreamingOutputCall: one response per parameter, then OK.
class OutputReactor final
    : public PacedSender<grpc::ServerWriteReactor<StreamingOutputCallResponse>> {
 public:
  OutputReactor(grpc::CallbackServerContext* context, const StreamingOutputCallRequest& request)
      : PacedSender(context) {
    EchoMetadata(context);
    grpc::Status status = CheckSizes(request);
    if (!status.ok() || WantsStatus(request.response_status(), &status)) {
      Finish(status);
      return;
    }
    Enqueue(request, true);
    SendNext();
  }

 private:
  void AllSent() override { Finish(grpc::Status::OK); }
};

// FullDuplexCall answers each request's parameters before it reads the next
// request; HalfDuplexCall reads every request first, then answers them all.
class DuplexReactor final
    : public PacedSender<
          grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse>> {
 public:
  DuplexReactor(grpc::CallbackServerContext* context, bool half)
      : PacedSender(context), half_(half) {
    EchoMetadata(context);
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {  // half-close (or the call ended)
      reads_done_ = true;
      SendNext();
      return;
    }
    grpc::Status status = CheckSizes(incoming_);
    if (!status.ok() || WantsStatus(incoming_.response_status(), &status)) {
      Finish(status);  // and no further request is read
      return;
    }
    Enqueue(incoming_, first_);
    first_ = false;
    if (half_) {
      StartRead(&incoming_);
    } else {
      SendNext();
    }
  }

 private:
  void AllSent() override {
    if (reads_done_) {
      Finish(grpc::Status::OK);
    } else {
      StartRead(&incoming_);
    }
  }

  const bool half_;
  bool first_ = true;
  bool reads_done_ = false;
  StreamingOutputCallRequest incoming_;
};

// StreamingInputCall: the sum of the request payloads, on half-close.
class InputReactor final : public grpc::ServerReadReactor<StreamingInputCallRequest> {
 public:
  InputReactor(grpc::CallbackServerContext* context, StreamingInputCallResponse* response)
      : response_(response) {
    EchoMetadata(context);
    StartRead(&incoming_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      response_->set_aggregated_payload_size(total_);
      Finish(grpc::Status::OK);
      return;
    }
    total_ += static_cast<std::int32_t>(incoming_.payload().body().size());
    StartRead(&incoming_);
  }

  void OnDone() override { delete this; }

 private:
  StreamingInputCallResponse* response_;
  StreamingInputCallRequest incoming_;
  std::int32_t total_ = 0;
};

}  // namespace

grpc::ServerUnaryReactor* TestServiceImpl::EmptyCall(grpc::CallbackServerContext* context,
                                                     const Empty* /*request*/,
                                                     Empty* /*response*/) {
  EchoMetadata(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* TestServiceImpl::UnaryCall(grpc::CallbackServerContext* context,
                                                     const SimpleRequest* request,
                                                     SimpleResponse* response) {
  EchoMetadata(context);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  grpc::Status status = CheckResponseType(request->response_type());
  if (status.ok() && request->response_size() < 0) {
    status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "response_size must not be negative");
  }
  if (!status.ok() || WantsStatus(request->response_status(), &status)) {
    reactor->Finish(status);
    return reactor;
  }
  if (request->response_compressed().value()) {
    context->set_compression_algorithm(GRPC_COMPRESS_GZIP);
  }
  *response->mutable_payload() = ZeroPayload(request->response_size());
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerUnaryReactor* TestServiceImpl::CacheableUnaryCall(grpc::CallbackServerContext* context,
                                                              const SimpleRequest* /*request*/,
                                                              SimpleResponse* response) {
  // The request is ignored; the body differs on every call unless a caching
  // proxy in between answers from its cache.
  EchoMetadata(context);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  response->mutable_payload()->set_type(grpc::testing::COMPRESSABLE);
  response->mutable_payload()->set_body(
      std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()));
  context->AddInitialMetadata("cache-control", "max-age=60, public");
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<StreamingOutputCallResponse>* TestServiceImpl::StreamingOutputCall(
    grpc::CallbackServerContext* context, const StreamingOutputCallRequest* request) {
  return new OutputReactor(context, *request);
}

grpc::ServerReadReactor<StreamingInputCallRequest>* TestServiceImpl::StreamingInputCall(
    grpc::CallbackServerContext* context, StreamingInputCallResponse* response) {
  return new InputReactor(context, response);
}

grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse>*
TestServiceImpl::FullDuplexCall(grpc::CallbackServerContext* context) {
  return new DuplexReactor(context, /*half=*/false);
}

grpc::ServerBidiReactor<StreamingOutputCallRequest, StreamingOutputCallResponse>*
TestServiceImpl::HalfDuplexCall(grpc::CallbackServerContext* context) {
  return new DuplexReactor(context, /*half=*/true);
}

}  // namespace course::interop
