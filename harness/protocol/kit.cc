// The shared part of the protocol suite (kit.h).
#include "protocol/kit.h"

#include <fnmatch.h>

#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>
#include <algorithm>

#include "absl/strings/str_cat.h"
#include "core/describe.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "protocol/catalog.h"

namespace course::harness::protocol {

std::unique_ptr<grpc::ClientContext> NewCall(CheckContext& ctx,
                                             std::chrono::milliseconds deadline) {
  auto call = ctx.NewCall(deadline);
  for (const auto& [key, value] : ctx.service().metadata) call->AddMetadata(key, value);
  return call;
}

wire::Headers MetadataHeaders(CheckContext& ctx) {
  return wire::Headers(ctx.service().metadata.begin(), ctx.service().metadata.end());
}

std::string UnknownName(CheckContext& ctx, const std::string& prefix) {
  return absl::StrCat(prefix, absl::Hex(ctx.rng()() & 0xffffff, absl::kZeroPad6));
}

// Asked with raw bytes, so that an answer that does not parse still counts
// as an answer. gRPC C++'s client reports a unary answer without a whole
// message as UNIMPLEMENTED too, so a service the descriptors or reflection
// list counts as served whatever Check says.
bool HealthServed(CheckContext& ctx) {
  auto call = NewCall(ctx);
  grpc::Slice empty("");
  grpc::ByteBuffer request(&empty, 1), response;
  ctx.Sent("grpc.health.v1.Health/Check <- {} (is health served?)");
  const grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      ctx.target().Channel().get(),
      grpc::internal::RpcMethod("/grpc.health.v1.Health/Check",
                                grpc::internal::RpcMethod::NORMAL_RPC),
      call.get(), request, &response);
  ctx.Received(absl::StrCat("grpc.health.v1.Health/Check -> ", DescribeStatus(status)));
  if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) return true;
  std::vector<std::string> services;
  try {
    services = ctx.service().descriptor_set.empty() ? LearnByReflection(ctx, Stage::kList).services
                                                    : LearnServices(ctx).services;
  } catch (const CheckFailed&) {
    return false;  // no list to go by: Check's answer stands
  }
  return std::find(services.begin(), services.end(), kHealthService) != services.end();
}

bool CallAllowed(CheckContext& ctx, const std::string& full_method) {
  for (const std::string& glob : ctx.service().call_methods) {
    if (fnmatch(glob.c_str(), full_method.c_str(), 0) == 0) return true;
  }
  return false;
}

namespace {

LiveMethod HealthCheckMethod() {
  LiveMethod method;
  method.path = "/grpc.health.v1.Health/Check";
  method.request = grpc::health::v1::HealthCheckRequest().SerializeAsString();
  method.response_type = "grpc.health.v1.HealthCheckResponse";
  method.parses = [](const std::string& bytes) {
    return grpc::health::v1::HealthCheckResponse().ParseFromString(bytes);
  };
  return method;
}

// The first method the run may call, unary ones first (their calls end by
// themselves), from the service's own descriptors.
std::optional<LiveMethod> OptedInMethod(CheckContext& ctx) {
  auto catalog = std::make_shared<Catalog>(LearnServices(ctx));
  std::optional<LiveMethod> best;
  for (const std::string& name : catalog->services) {
    const google::protobuf::ServiceDescriptor* service = catalog->pool->FindServiceByName(name);
    for (int i = 0; service != nullptr && i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      if (!CallAllowed(ctx, absl::StrCat(name, "/", m->name()))) continue;
      if (best && !best->client_streaming && !best->server_streaming) break;
      LiveMethod method;
      method.path = absl::StrCat("/", name, "/", m->name());
      method.client_streaming = m->client_streaming();
      method.server_streaming = m->server_streaming();
      // The default request: every field unset (what an empty message decodes to).
      std::unique_ptr<google::protobuf::Message> request(
          catalog->factory->GetPrototype(m->input_type())->New());
      method.request = request->SerializeAsString();
      method.response_type = m->output_type()->full_name();
      const google::protobuf::Message* prototype = catalog->factory->GetPrototype(m->output_type());
      method.parses = [catalog, prototype](const std::string& bytes) {
        std::unique_ptr<google::protobuf::Message> response(prototype->New());
        return response->ParseFromString(bytes);
      };
      if (!best || (!method.client_streaming && !method.server_streaming)) best = method;
    }
  }
  return best;
}

}  // namespace

LiveMethod PickLiveMethod(CheckContext& ctx) {
  if (HealthServed(ctx)) return HealthCheckMethod();
  if (ctx.service().call_methods.empty()) {
    throw CheckSkipped(
        "no method to call: the server serves no grpc.health.v1.Health, and the suite calls "
        "none of the service's own methods unless named with --call-method "
        "'package.Service/Method'");
  }
  std::optional<LiveMethod> method = OptedInMethod(ctx);
  if (!method) {
    throw CheckSkipped(
        "no method of the service matches --call-method (globs over "
        "'package.Service/Method')");
  }
  return *method;
}

void Add(std::vector<CheckDef>& checks, const char* id, const char* cites, const char* title,
         std::function<void(CheckContext&)> body, Level level) {
  checks.push_back({id, cites, title, std::move(body), level});
}

}  // namespace course::harness::protocol
