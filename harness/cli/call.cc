#include "cli/call.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/impl/codegen/client_unary_call.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/impl/codegen/sync_stream.h>

#include <nlohmann/json.hpp>
#include <ostream>

#include "core/describe.h"
#include "course/v1/course.pb.h"

namespace course::cli {
namespace {

using google::protobuf::Message;
using google::protobuf::MethodDescriptor;

const MethodDescriptor* FindMethod(const std::string& name) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  // Make sure the contract's descriptors are linked in.
  (void)v1::User::descriptor();
  std::string full = name;
  for (char& c : full) {
    if (c == '/') c = '.';
  }
  for (const std::string& candidate :
       {full, "course.v1." + full, "course.v1.UserService." + full}) {
    if (const auto* method = pool->FindMethodByName(candidate)) return method;
  }
  return nullptr;
}

std::unique_ptr<Message> NewMessage(const google::protobuf::Descriptor* type) {
  return std::unique_ptr<Message>(
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(type)->New());
}

bool Parse(const std::string& json, Message* message, std::ostream& err) {
  auto status = google::protobuf::util::JsonStringToMessage(json, message);
  if (!status.ok()) {
    err << "course call: " << json << " is not a " << message->GetDescriptor()->full_name() << ": "
        << status.ToString() << "\n";
    return false;
  }
  return true;
}

void Print(const Message& message, std::ostream& out) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(message, &json, options);
  out << json << "\n";
}

// The request messages from the JSON given: one object, or an array of them
// (maybe empty) for a method that streams requests. nullopt when the JSON
// does not fit; `err` says why.
std::optional<std::vector<std::unique_ptr<Message>>> ParseRequests(const MethodDescriptor& method,
                                                                   const std::string& json,
                                                                   std::ostream& err) {
  std::vector<std::unique_ptr<Message>> requests;
  if (!method.client_streaming()) {
    requests.push_back(NewMessage(method.input_type()));
    if (!Parse(json.empty() ? "{}" : json, requests.back().get(), err)) return std::nullopt;
    return requests;
  }
  nlohmann::json array = nlohmann::json::parse(json, nullptr, false);
  if (!array.is_array()) {
    err << "course call: " << method.name() << " streams requests: give a JSON array\n";
    return std::nullopt;
  }
  for (const auto& item : array) {
    requests.push_back(NewMessage(method.input_type()));
    if (!Parse(item.dump(), requests.back().get(), err)) return std::nullopt;
  }
  return requests;
}

// Makes the call of whichever kind `method` is, printing every response.
grpc::Status Call(grpc::Channel* channel, const MethodDescriptor& method,
                  grpc::ClientContext& context,
                  const std::vector<std::unique_ptr<Message>>& requests, std::ostream& out) {
  const std::string path = "/" + method.service()->full_name() + "/" + method.name();
  using Kind = grpc::internal::RpcMethod::RpcType;
  const bool client_streams = method.client_streaming();
  const bool server_streams = method.server_streaming();
  const Kind kind = client_streams
                        ? (server_streams ? Kind::BIDI_STREAMING : Kind::CLIENT_STREAMING)
                        : (server_streams ? Kind::SERVER_STREAMING : Kind::NORMAL_RPC);
  grpc::internal::RpcMethod rpc(path.c_str(), kind);
  std::unique_ptr<Message> response = NewMessage(method.output_type());
  grpc::Status status;
  switch (kind) {
    case Kind::NORMAL_RPC:
      status = grpc::internal::BlockingUnaryCall<Message, Message>(channel, rpc, &context,
                                                                   *requests[0], response.get());
      if (status.ok()) Print(*response, out);
      break;
    case Kind::SERVER_STREAMING: {
      std::unique_ptr<grpc::ClientReader<Message>> reader(
          grpc::internal::ClientReaderFactory<Message>::Create(channel, rpc, &context,
                                                               *requests[0]));
      while (reader->Read(response.get())) Print(*response, out);
      status = reader->Finish();
      break;
    }
    case Kind::CLIENT_STREAMING: {
      std::unique_ptr<grpc::ClientWriter<Message>> writer(
          grpc::internal::ClientWriterFactory<Message>::Create(channel, rpc, &context,
                                                               response.get()));
      for (const auto& message : requests) {
        if (!writer->Write(*message)) break;
      }
      writer->WritesDone();
      status = writer->Finish();
      if (status.ok()) Print(*response, out);
      break;
    }
    case Kind::BIDI_STREAMING: {
      std::unique_ptr<grpc::ClientReaderWriter<Message, Message>> stream(
          grpc::internal::ClientReaderWriterFactory<Message, Message>::Create(channel, rpc,
                                                                              &context));
      for (const auto& message : requests) {
        if (!stream->Write(*message)) break;
      }
      stream->WritesDone();
      while (stream->Read(response.get())) Print(*response, out);
      status = stream->Finish();
      break;
    }
  }
  return status;
}

}  // namespace

int MakeCall(const std::shared_ptr<grpc::Channel>& channel, const CallRequest& request,
             std::ostream& out, std::ostream& err) {
  const MethodDescriptor* method = FindMethod(request.method);
  if (method == nullptr) {
    err << "course call: no method " << request.method
        << " in course.v1 (try GetUser, ListUsers, CreateUsers, ChatService/Chat)\n";
    return 2;
  }
  const auto requests = ParseRequests(*method, request.json, err);
  if (!requests) return 2;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + request.deadline);
  if (!request.token.empty()) context.AddMetadata("authorization", "Bearer " + request.token);
  if (!request.request_id.empty()) context.AddMetadata("x-request-id", request.request_id);
  const grpc::Status status = Call(channel.get(), *method, context, *requests, out);
  err << "status: " << harness::DescribeStatus(status) << "\n";
  if (auto id = harness::ServerMetadata(context, "x-request-id")) {
    err << "x-request-id: " << *id << "\n";
  }
  return status.ok() ? 0 : 1;
}

}  // namespace course::cli
