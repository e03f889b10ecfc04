// Health (gRPC's doc/health-checking.md), when the server serves it, and
// calls to services and methods the server does not have (UNIMPLEMENTED,
// doc/statuscodes.md; on the wire, PROTOCOL-HTTP2 "Responses": HTTP status
// 200 and the code in grpc-status).
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/client_unary_call.h>
#include <grpcpp/impl/rpc_method.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/describe.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "protocol/catalog.h"
#include "protocol/kit.h"
#include "wire/grpc_wire.h"
#include "wire/wire_check_kit.h"

namespace course::harness::protocol {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

constexpr char kHealthHint[] =
    "the health service answers Check with the serving status of a name it knows, and "
    "NOT_FOUND for a name it does not (health-checking.md)";

void SkipUnlessHealthServed(CheckContext& ctx) {
  if (!HealthServed(ctx)) {
    throw CheckSkipped("the server does not serve grpc.health.v1.Health (Check is UNIMPLEMENTED)");
  }
}

struct HealthAnswer {
  grpc::Status status;
  HealthCheckResponse response;
};

HealthAnswer Check(CheckContext& ctx, const std::string& service) {
  HealthCheckRequest request;
  request.set_service(service);
  ctx.Sent(absl::StrCat("grpc.health.v1.Health/Check <- ", Describe(request)));
  auto stub = grpc::health::v1::Health::NewStub(ctx.target().Channel());
  auto call = NewCall(ctx);
  HealthAnswer answer;
  answer.status = stub->Check(call.get(), request, &answer.response);
  ctx.Received(
      absl::StrCat("grpc.health.v1.Health/Check -> ",
                   answer.status.ok() ? Describe(answer.response) : DescribeStatus(answer.status)));
  return answer;
}

std::string StatusName(const HealthCheckResponse& response) {
  return HealthCheckResponse::ServingStatus_Name(response.status());
}

void ChecksServer(CheckContext& ctx) {
  SkipUnlessHealthServed(ctx);
  const HealthAnswer answer = Check(ctx, "");
  ctx.ExpectCode(answer.status, grpc::StatusCode::OK, "Health/Check for the server (\"\")",
                 "the empty name stands for the whole server and is always known");
  ctx.Expect(answer.response.status() == HealthCheckResponse::SERVING ||
                 answer.response.status() == HealthCheckResponse::NOT_SERVING,
             absl::StrCat("Health/Check for \"\" answered ", StatusName(answer.response)),
             "SERVING or NOT_SERVING", kHealthHint);
  ctx.Note(absl::StrCat("\"\": ", StatusName(answer.response)));
}

void ChecksEachService(CheckContext& ctx) {
  SkipUnlessHealthServed(ctx);
  const Catalog catalog = LearnServices(ctx);
  std::vector<std::string> known, unknown;
  for (const std::string& name : catalog.services) {
    const HealthAnswer answer = Check(ctx, name);
    if (answer.status.error_code() == grpc::StatusCode::NOT_FOUND) {
      unknown.push_back(name);
      continue;
    }
    ctx.ExpectCode(answer.status, grpc::StatusCode::OK, absl::StrCat("Health/Check for ", name),
                   kHealthHint);
    known.push_back(absl::StrCat(name, " ", StatusName(answer.response)));
  }
  ctx.Note(absl::StrCat("with a status: ", known.empty() ? "none" : absl::StrJoin(known, ", "),
                        "; NOT_FOUND: ", unknown.empty() ? "none" : absl::StrJoin(unknown, ", ")));
}

void UnknownServiceIsNotFound(CheckContext& ctx) {
  SkipUnlessHealthServed(ctx);
  const std::string name = UnknownName(ctx, "course.protocol.NoSuchService");
  const HealthAnswer answer = Check(ctx, name);
  ctx.ExpectCode(answer.status, grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("Health/Check for the unknown name ", name), kHealthHint);
}

// Watch: the first message (the current status) comes at once, and the
// stream stays open for later changes: with a 1 s deadline, the call ends
// DEADLINE_EXCEEDED, not by the server's doing.
void Watch(CheckContext& ctx, const std::string& service, HealthCheckResponse::ServingStatus want,
           const std::string& hint) {
  auto stub = grpc::health::v1::Health::NewStub(ctx.target().Channel());
  auto call = NewCall(ctx, std::chrono::milliseconds(1000));
  HealthCheckRequest request;
  request.set_service(service);
  ctx.Sent(absl::StrCat("grpc.health.v1.Health/Watch <- ", Describe(request), ", deadline 1 s"));
  auto reader = stub->Watch(call.get(), request);
  const std::string want_name = HealthCheckResponse::ServingStatus_Name(want);
  HealthCheckResponse first;
  if (!reader->Read(&first)) {
    const grpc::Status status = reader->Finish();
    ctx.Received(absl::StrCat("Watch -> no message, then ", DescribeStatus(status)));
    ctx.Fail(absl::StrCat("Watch for \"", service, "\" sent no status within 1 s"),
             absl::StrCat("a first message with the current status (", want_name,
                          "), and the stream kept open"),
             hint);
  }
  ctx.Received(absl::StrCat("Watch -> ", Describe(first)));
  ctx.Expect(first.status() == want,
             absl::StrCat("Watch for \"", service, "\" sent ", StatusName(first)), want_name, hint);
  HealthCheckResponse more;
  while (reader->Read(&more)) ctx.Received(absl::StrCat("Watch -> ", Describe(more)));
  const grpc::Status status = reader->Finish();
  ctx.Received(absl::StrCat("Watch -> ", DescribeStatus(status)));
  ctx.Expect(status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED,
             absl::StrCat("Watch for \"", service,
                          "\" ended by itself before the client's 1 s "
                          "deadline: ",
                          DescribeStatus(status)),
             "the stream open until the client's deadline ends it", hint);
}

void WatchStreamsStatus(CheckContext& ctx) {
  SkipUnlessHealthServed(ctx);
  const HealthAnswer now = Check(ctx, "");
  Watch(ctx, "", now.response.status(),
        "Watch sends the current status at once, then each change, and never ends the "
        "stream by itself (health-checking.md)");
}

void WatchUnknownIsServiceUnknown(CheckContext& ctx) {
  SkipUnlessHealthServed(ctx);
  Watch(ctx, UnknownName(ctx, "course.protocol.NoSuchService"),
        HealthCheckResponse::SERVICE_UNKNOWN,
        "for an unknown name Watch sends SERVICE_UNKNOWN and keeps the stream open, since "
        "the service may be registered later (health-checking.md)");
}

// --- UNIMPLEMENTED -----------------------------------------------------------

grpc::Status CallPath(CheckContext& ctx, const std::string& path) {
  ctx.Sent(absl::StrCat(path, " <- an empty message"));
  auto call = NewCall(ctx);
  grpc::ByteBuffer request, response;
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  const grpc::Status status = grpc::internal::BlockingUnaryCall<grpc::ByteBuffer, grpc::ByteBuffer>(
      ctx.target().Channel().get(),
      grpc::internal::RpcMethod(path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC), call.get(),
      request, &response);
  ctx.Received(absl::StrCat(path, " -> ", DescribeStatus(status)));
  return status;
}

void UnknownServiceIsUnimplemented(CheckContext& ctx) {
  const std::string path =
      absl::StrCat("/", UnknownName(ctx, "course.protocol.NoSuchService"), "/Method");
  ctx.ExpectCode(CallPath(ctx, path), grpc::StatusCode::UNIMPLEMENTED,
                 absl::StrCat("a call to ", path),
                 "a server answers UNIMPLEMENTED for a service it does not have; a catch-all "
                 "handler must do the same");
}

// The services the run knows of, or health alone when it cannot learn them.
std::vector<std::string> KnownServices(CheckContext& ctx) {
  if (!ctx.service().descriptor_set.empty()) return LearnServices(ctx).services;
  return LearnByReflection(ctx, Stage::kList).services;
}

void UnknownMethodIsUnimplemented(CheckContext& ctx) {
  const std::string method = UnknownName(ctx, "NoSuchMethod");
  for (const std::string& service : KnownServices(ctx)) {
    const std::string path = absl::StrCat("/", service, "/", method);
    ctx.ExpectCode(CallPath(ctx, path), grpc::StatusCode::UNIMPLEMENTED,
                   absl::StrCat("a call to ", path, ", a method ", service, " does not have"),
                   "answer UNIMPLEMENTED for a method a known service does not have");
  }
}

void UnimplementedOnTheWire(CheckContext& ctx) {
  wire_suite::Wire w(ctx, /*tls=*/true);
  const std::string path =
      absl::StrCat("/", UnknownName(ctx, "course.protocol.NoSuchService"), "/Method");
  ctx.Sent(absl::StrCat(path, " <- an empty message (raw HTTP/2)"));
  auto call = w.Exchange(w.Request(path, MetadataHeaders(ctx)), {wire::LengthPrefixed("")});
  w.ExpectStatus(call, wire_suite::kUnimplemented, "an unknown path",
                 "answer :status 200 with grpc-status 12 in trailers, not an HTTP 404");
  const std::string status = call.r().InitialHeader(":status").value_or("(none)");
  ctx.Expect(status == "200", absl::StrCat(":status is ", status), ":status 200");
}

}  // namespace

void AddHealthChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.health.check-server", "health-checking.md",
      "Health/Check for \"\" (the whole server) answers SERVING or NOT_SERVING", ChecksServer);
  Add(checks, "protocol.health.check-each-service", "health-checking.md",
      "Health/Check for each service answers a status, or NOT_FOUND if it is not registered",
      ChecksEachService);
  Add(checks, "protocol.health.unknown-service-is-not-found", "health-checking.md",
      "Health/Check for an unknown name is NOT_FOUND", UnknownServiceIsNotFound);
  Add(checks, "protocol.health.watch-streams-status", "health-checking.md",
      "Health/Watch sends the current status at once and keeps the stream open",
      WatchStreamsStatus);
  Add(checks, "protocol.health.watch-unknown-is-service-unknown", "health-checking.md",
      "Health/Watch for an unknown name sends SERVICE_UNKNOWN and keeps the stream open",
      WatchUnknownIsServiceUnknown, Level::kShould);
}

void AddUnimplementedChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.unimplemented.unknown-service", "statuscodes.md",
      "a call to a service the server does not have is UNIMPLEMENTED",
      UnknownServiceIsUnimplemented);
  Add(checks, "protocol.unimplemented.unknown-method", "statuscodes.md",
      "a call to a method a known service does not have is UNIMPLEMENTED",
      UnknownMethodIsUnimplemented);
  Add(checks, "protocol.unimplemented.on-the-wire", "PROTOCOL-HTTP2 Responses",
      "an unknown path gets :status 200 and grpc-status 12 in trailers", UnimplementedOnTheWire);
}

}  // namespace course::harness::protocol
