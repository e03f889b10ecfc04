// gRPC's rules for a response on the wire (PROTOCOL-HTTP2 "Responses"), and
// request framing (PROTOCOL-HTTP2 "Requests" and "Data Frames"), on the live
// method: whatever status its handler chooses, the response must be shaped
// right, and a request framed differently must get the same answer.
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocol/wire_kit.h"

namespace course::harness::protocol {
namespace {

using wire_suite::GrpcStatus;

// The live method called plainly: one DATA frame with the message and
// END_STREAM.
struct Baseline {
  LiveMethod method;
  Wire::Call call;
  int status;
};

Baseline CallPlainly(Wire& w) {
  LiveMethod method = PickLiveMethod(w.ctx());
  w.ctx().Sent(absl::StrCat(method.path, " <- the default ", method.request.size(),
                            "-byte request in one DATA frame with END_STREAM"));
  Wire::Call call = CallLive(w, method, {wire::LengthPrefixed(method.request)});
  const int status = EndedWithStatus(w, call, absl::StrCat("a call to ", method.path));
  return {std::move(method), call, status};
}

void ResponseIsGrpc(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  const wire::StreamResult& r = b.call.r();
  const std::string status = r.InitialHeader(":status").value_or("(none)");
  ctx.Expect(status == "200", absl::StrCat("the response's :status is ", status),
             ":status 200: gRPC reports errors in grpc-status, not in the HTTP status");
  const std::string type = r.InitialHeader("content-type").value_or("(none)");
  ctx.Expect(absl::StartsWith(type, "application/grpc"),
             absl::StrCat("the response's content-type is ", type),
             "content-type application/grpc (or application/grpc+proto, ...)");
}

void EndsWithTrailers(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  const wire::StreamResult& r = b.call.r();
  ctx.Expect(!r.data_ended_stream, "a DATA frame ended the stream",
             "END_STREAM on the HEADERS frame that carries the trailers",
             "the status goes in trailers: a HEADERS frame after the messages");
  ctx.Expect(r.block_ends_stream.back(), "the last HEADERS did not carry END_STREAM",
             "trailers with END_STREAM");
}

void GrpcStatusOnceInTrailers(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  const wire::StreamResult& r = b.call.r();
  const std::vector<std::string> all = r.AllValues("grpc-status");
  ctx.Expect(all.size() == 1, absl::StrCat("grpc-status appears ", all.size(), " times"),
             "exactly once, in the trailers", "also on success: OK is a status too");
  const bool in_initial =
      r.header_blocks.size() > 1 && wire::Has(r.header_blocks.front(), "grpc-status");
  ctx.Expect(!in_initial, "grpc-status is in the initial HEADERS, before the messages",
             "grpc-status only in the trailers (or a Trailers-Only answer)");
  const std::string value = all.front();
  ctx.Expect(value == "0" || (value.size() <= 2 && value[0] != '0' &&
                              value.find_first_not_of("0123456789") == std::string::npos),
             absl::StrCat("grpc-status is \"", value, "\""),
             "a decimal code 0..16 without leading zeros");
}

void ResponseIsLengthPrefixed(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  const wire::StreamResult& r = b.call.r();
  auto messages = wire::SplitMessages(r.data);
  ctx.Expect(messages.ok(),
             absl::StrCat("the response's DATA is not length-prefixed messages: ",
                          messages.status().message()),
             "each message: a compressed-flag byte, a 4-byte big-endian length, that many bytes");
  const bool encoded = !r.InitialHeader("grpc-encoding").value_or("identity").empty() &&
                       r.InitialHeader("grpc-encoding").value_or("identity") != "identity";
  for (const wire::WireMessage& message : *messages) {
    ctx.Expect(!message.compressed || encoded,
               "a message is flagged compressed but the response names no grpc-encoding",
               "compressed flag 0 unless grpc-encoding names an algorithm");
    if (message.compressed) continue;
    ctx.Expect(b.method.parses(message.bytes),
               absl::StrCat("a response message does not parse as ", b.method.response_type),
               b.method.response_type);
  }
  if (!b.method.server_streaming && b.status == 0) {
    ctx.Expect(messages->size() == 1,
               absl::StrCat("a successful unary call answered ", messages->size(), " messages"),
               "exactly one response message");
  }
}

// The same call framed another way must get the same status.
void ExpectSameAnswer(Wire& w, const Baseline& b, std::vector<std::string> frames,
                      const std::string& how, const std::string& hint) {
  w.ctx().Sent(absl::StrCat(b.method.path, " <- the same request ", how));
  Wire::Call call = CallLive(w, b.method, std::move(frames));
  const int status = EndedWithStatus(w, call, how, hint);
  w.ctx().Expect(status == b.status,
                 absl::StrCat("sent ", how, ", the call got grpc-status ", status,
                              " where the plain call got ", b.status),
                 absl::StrCat("grpc-status ", b.status, ", as for the plain call"), hint);
}

void MessageSplitAcrossDataFrames(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  const std::string bytes = wire::LengthPrefixed(b.method.request);
  std::vector<std::string> frames = {bytes.substr(0, 2), bytes.substr(2, 2), bytes.substr(4)};
  ExpectSameAnswer(w, b, frames, "split across 3 DATA frames (2, 2 and the rest)",
                   "DATA frame boundaries have nothing to do with message boundaries: "
                   "reassemble the 5-byte prefix and the message from any frames");
}

void EmptyEndStreamFrame(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  ExpectSameAnswer(w, b, {wire::LengthPrefixed(b.method.request), ""},
                   "then an empty DATA frame carrying END_STREAM",
                   "a client that has nothing left to send ends the request with an empty "
                   "DATA frame with END_STREAM");
}

void IdentityEncodingAccepted(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const Baseline b = CallPlainly(w);
  w.ctx().Sent(absl::StrCat(b.method.path, " <- the same request with grpc-encoding: identity"));
  Wire::Call call = CallLive(w, b.method, {wire::LengthPrefixed(b.method.request)},
                             {{"grpc-encoding", "identity"}});
  const int status = EndedWithStatus(w, call, "grpc-encoding: identity");
  ctx.Expect(status == b.status,
             absl::StrCat("with grpc-encoding identity the call got grpc-status ", status,
                          " where the plain call got ", b.status),
             "the same answer: identity is no compression at all");
}

void TruncatedMessageIsAnError(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  ctx.Sent(absl::StrCat(method.path, " <- a prefix promising 10 bytes, 3 bytes, then END_STREAM"));
  Wire::Call call = CallLive(w, method, {wire::Prefix(10) + "abc"});
  ctx.Expect(call.ended, "a request whose message was cut short got no answer",
             "an error (grpc-status other than 0, or RST_STREAM)",
             "a stream that ends inside a message is a broken request");
  const std::optional<int> status = GrpcStatus(call.r());
  ctx.Expect(call.r().reset_code.has_value() || (status.has_value() && *status != 0),
             absl::StrCat("a message cut short got ", Ending(call)),
             "an error status (INTERNAL) or RST_STREAM, never OK");
}

void TrailersOnlyForUnknownPath(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const std::string path = absl::StrCat("/", UnknownName(ctx, "course.protocol.NoSuch"), "/M");
  ctx.Sent(absl::StrCat(path, " <- an empty message"));
  Wire::Call call = w.Exchange(w.Request(path, MetadataHeaders(ctx)), {wire::LengthPrefixed("")});
  EndedWithStatus(w, call, "an unknown path");
  ctx.Expect(call.r().TrailersOnly(),
             absl::StrCat("the error came as ", call.r().header_blocks.size(),
                          " HEADERS frame(s) and ", call.r().data_frames, " DATA frame(s)"),
             "Trailers-Only: one HEADERS frame with :status, grpc-status and END_STREAM");
}

}  // namespace

void AddWireResponseChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.wire.response-is-grpc", "PROTOCOL-HTTP2 Responses",
      "a response has :status 200 and content-type application/grpc", ResponseIsGrpc);
  Add(checks, "protocol.wire.ends-with-trailers", "PROTOCOL-HTTP2 Responses",
      "a response ends with trailers: HEADERS with END_STREAM", EndsWithTrailers);
  Add(checks, "protocol.wire.grpc-status-once-in-trailers", "PROTOCOL-HTTP2 Responses",
      "grpc-status appears once, in the trailers, a decimal without leading zeros",
      GrpcStatusOnceInTrailers);
  Add(checks, "protocol.wire.response-is-length-prefixed", "PROTOCOL-HTTP2 Requests",
      "response messages carry true 5-byte prefixes and parse as the output type",
      ResponseIsLengthPrefixed);
  Add(checks, "protocol.wire.message-split-across-data-frames", "PROTOCOL-HTTP2 Data Frames",
      "a request message split across DATA frames gets the same answer",
      MessageSplitAcrossDataFrames);
  Add(checks, "protocol.wire.empty-data-frame-ends-request", "PROTOCOL-HTTP2 Requests",
      "a request ended by an empty DATA frame with END_STREAM gets the same answer",
      EmptyEndStreamFrame);
  Add(checks, "protocol.wire.identity-encoding-accepted", "PROTOCOL-HTTP2 Requests",
      "grpc-encoding: identity gets the same answer", IdentityEncodingAccepted);
  Add(checks, "protocol.wire.truncated-message-is-an-error", "PROTOCOL-HTTP2 Requests",
      "a request whose message is cut short by END_STREAM ends with an error",
      TruncatedMessageIsAnError);
  Add(checks, "protocol.wire.trailers-only-for-unknown-path", "PROTOCOL-HTTP2 Responses",
      "an immediate error (an unknown path) is Trailers-Only", TrailersOnlyForUnknownPath,
      Level::kInfo);
}

}  // namespace course::harness::protocol
