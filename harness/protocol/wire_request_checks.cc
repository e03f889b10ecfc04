// What a server does with requests that are unusual but legal, or wrong:
// grpc-message encoding of its errors (PROTOCOL-HTTP2 "Responses"),
// compression (PROTOCOL-HTTP2 "Requests", doc/compression.md), content-type
// and te (PROTOCOL-HTTP2 "Requests"), the size of a message.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "protocol/wire_kit.h"

namespace course::harness::protocol {
namespace {

using wire_suite::GrpcStatus;

// Errors whose grpc-message may carry what the client sent: an unknown path,
// and (when health is served) Check for a name with a '%' and UTF-8.
void GrpcMessagePercentEncoded(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  std::vector<Wire::Call> calls;
  const std::string path = absl::StrCat("/", UnknownName(ctx, "course.protocol.NoSuch"), "/M");
  ctx.Sent(absl::StrCat(path, " <- an empty message"));
  calls.push_back(w.Exchange(w.Request(path, MetadataHeaders(ctx)), {wire::LengthPrefixed("")}));
  if (HealthServed(ctx)) {
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(UnknownName(ctx, "zoë-100%-ünknown-"));
    ctx.Sent(absl::StrCat("grpc.health.v1.Health/Check <- service \"", request.service(), "\""));
    calls.push_back(w.Exchange(w.Request("/grpc.health.v1.Health/Check", MetadataHeaders(ctx)),
                               {wire::LengthPrefixed(request.SerializeAsString())}));
  }
  int messages = 0;
  for (const Wire::Call& call : calls) {
    EndedWithStatus(w, call, "an error call");
    for (const std::string& value : call.r().AllValues("grpc-message")) {
      ++messages;
      const std::string problem = wire::PercentEncodingProblem(value);
      ctx.Expect(problem.empty(), absl::StrCat("grpc-message is not percent-encoded: ", problem),
                 "bytes 0x20-0x7E as they are, every other byte and '%' as %XX",
                 "percent-encode the UTF-8 bytes of the message (gRPC libraries do)");
    }
  }
  ctx.Note(absl::StrCat(messages, " grpc-message value(s) seen"));
}

// A message compressed with an algorithm no server knows; fails unless the
// call ends with a gRPC error.
Wire::Call UnknownEncoding(Wire& w) {
  CheckContext& ctx = w.ctx();
  const LiveMethod method = PickLiveMethod(ctx);
  ctx.Sent(absl::StrCat(method.path,
                        " <- grpc-encoding: x-course-unknown, a message with the compressed flag"));
  Wire::Call call = CallLive(w, method, {wire::LengthPrefixed("\x01\x02\x03", true)},
                             {{"grpc-encoding", "x-course-unknown"}});
  const int status = EndedWithStatus(w, call, "a message in an unknown grpc-encoding");
  ctx.Expect(status != 0, "a message in an unknown encoding was accepted (grpc-status 0)",
             "UNIMPLEMENTED: the server cannot decompress it",
             "check grpc-encoding against the algorithms you support before reading");
  return call;
}

void UnknownEncodingIsRejected(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  UnknownEncoding(w);
}

void UnknownEncodingIsUnimplemented(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  Wire::Call call = UnknownEncoding(w);
  w.ExpectStatus(call, wire_suite::kUnimplemented, "a message in an unknown grpc-encoding",
                 "compression.md: an unsupported encoding is UNIMPLEMENTED (known difference: "
                 "grpcio for Python answers INTERNAL)");
}

void UnknownEncodingListsAccepted(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  Wire::Call call = UnknownEncoding(w);
  const std::vector<std::string> accepted = call.r().AllValues("grpc-accept-encoding");
  ctx.Expect(!accepted.empty(), "the rejection has no grpc-accept-encoding header",
             "grpc-accept-encoding naming the algorithms the server accepts",
             "known difference: gRPC C++ 1.51 leaves it out of a Trailers-Only answer");
  ctx.Expect(!absl::StrContains(accepted.front(), "x-course-unknown"),
             "grpc-accept-encoding names the encoding it just rejected",
             "the algorithms the server accepts, without x-course-unknown");
}

void FlagWithoutEncodingIsInternal(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  ctx.Sent(absl::StrCat(method.path, " <- the compressed flag set, no grpc-encoding"));
  Wire::Call call = CallLive(w, method, {wire::LengthPrefixed(method.request, true)});
  w.ExpectStatus(call, wire_suite::kInternal, "a compressed message without grpc-encoding",
                 "without grpc-encoding the compressed flag must be 0: a protocol error "
                 "(known difference: gRPC C++ 1.51 reads the message as uncompressed)");
}

void NonGrpcContentTypeIs415(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  ctx.Sent(absl::StrCat(method.path, " <- with content-type: application/json"));
  Wire::Call call =
      w.Exchange(wire::With(LiveHeaders(ctx, w, method), "content-type", "application/json"),
                 {wire::LengthPrefixed(method.request)});
  ctx.Expect(call.ended, "the server did not answer", "an HTTP 415 response");
  const std::string status = call.r().InitialHeader(":status").value_or("(none)");
  ctx.Expect(status == "415", absl::StrCat("content-type application/json got :status ", status),
             ":status 415 (Unsupported Media Type)",
             "so that plain HTTP clients do not take a gRPC error (HTTP 200) for success");
}

void MissingTeTrailers(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  ctx.Sent(absl::StrCat(method.path, " <- without the te: trailers header"));
  Wire::Call call = w.Exchange(wire::Without(LiveHeaders(ctx, w, method), "te"),
                               {wire::LengthPrefixed(method.request)});
  EndedWithStatus(w, call, "a request without te: trailers",
                  "served or rejected, either way with a gRPC status");
  ctx.Note(absl::StrCat("without te: trailers: ", Ending(call)));
}

void OversizedMessage(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  // The default request plus an unknown field 15 that makes it 4 MiB + 1 KiB:
  // a server that accepted it would skip the field.
  const std::size_t filler = (4u << 20) + 1024;
  std::string message = method.request + "\x7a";
  for (std::size_t n = filler;; n >>= 7) {
    message += static_cast<char>(n < 0x80 ? n : ((n & 0x7f) | 0x80));
    if (n < 0x80) break;
  }
  message += std::string(filler, 'x');
  ctx.Sent(absl::StrCat(method.path, " <- a message of ", message.size(), " bytes"));
  Wire::Call call = CallLive(w, method, {wire::LengthPrefixed(message)});
  w.ExpectStatus(call, wire_suite::kResourceExhausted, "a request message over 4 MiB",
                 "gRPC libraries limit received messages to 4 MiB by default; a service may "
                 "choose another limit");
}

}  // namespace

void AddWireRequestChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.wire.grpc-message-percent-encoded", "PROTOCOL-HTTP2 Responses",
      "grpc-message is percent-encoded (errors naming a '%' and UTF-8)", GrpcMessagePercentEncoded);
  Add(checks, "protocol.compression.unknown-encoding-is-rejected", "PROTOCOL-HTTP2 Requests",
      "a message in an unknown grpc-encoding ends the call with an error",
      UnknownEncodingIsRejected);
  Add(checks, "protocol.compression.unknown-encoding-is-unimplemented", "compression.md",
      "a message in an unknown grpc-encoding is UNIMPLEMENTED", UnknownEncodingIsUnimplemented,
      Level::kShould);
  Add(checks, "protocol.compression.unknown-encoding-lists-accepted", "compression.md",
      "the rejection of an unknown grpc-encoding carries grpc-accept-encoding",
      UnknownEncodingListsAccepted, Level::kShould);
  Add(checks, "protocol.compression.flag-without-encoding-is-internal", "PROTOCOL-HTTP2 Requests",
      "a compressed flag without grpc-encoding is INTERNAL", FlagWithoutEncodingIsInternal,
      Level::kShould);
  Add(checks, "protocol.request.non-grpc-content-type-is-415", "PROTOCOL-HTTP2 Requests",
      "a request with a non-gRPC content-type gets HTTP 415", NonGrpcContentTypeIs415,
      Level::kShould);
  Add(checks, "protocol.request.missing-te-trailers", "PROTOCOL-HTTP2 Requests",
      "a request without te: trailers gets a gRPC answer (served or rejected)", MissingTeTrailers,
      Level::kInfo);
  Add(checks, "protocol.size.over-4-mib-is-resource-exhausted", "PROTOCOL-HTTP2 Requests",
      "a request message over 4 MiB (the libraries' default limit) is RESOURCE_EXHAUSTED",
      OversizedMessage, Level::kInfo);
}

}  // namespace course::harness::protocol
