// HTTP/2 wire checks (W1-W9): gRPC's rules for how a call looks on the
// wire, checked with a raw HTTP/2 client (wire/h2_client.h) on a connection
// of their own. They run against any target with an address; the in-process
// target has no socket, and TLS targets are skipped (the raw client speaks
// plaintext h2c only).
//
// Levels follow the spec's words (doc/PROTOCOL-HTTP2.md, doc/compression.md
// in grpc/grpc): MUST checks fail; SHOULD and INFO checks warn. gRPC C++ 1.51
// (the reference) passes every MUST check; where it takes the liberty the
// spec leaves, the check says so.
//
// This file: the response (W1-W4) and message framing (W5). The request
// (W6-W8) is in wire_request_checks.cc, the connection (W9) in
// wire_connection_checks.cc.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "core/calls.h"
#include "core/check.h"
#include "core/describe.h"
#include "wire/grpc_wire.h"
#include "wire/h2_client.h"
#include "wire/wire_check_kit.h"

namespace course::harness {
namespace wire_suite {
namespace {

// W1-W2 and W5 on one successful call.
void ResponseHeadersAreGrpc(CheckContext& ctx) {
  Wire w(ctx);
  std::int32_t id = 0;
  Wire::Call call = GetCreatedUser(w, &id);
  const StreamResult& r = call.r();
  ctx.Expect(!r.header_blocks.empty(), "the response has no HEADERS frame",
             "HEADERS with :status 200 and content-type application/grpc");
  const std::string status = r.InitialHeader(":status").value_or("(none)");
  ctx.Expect(status == "200", absl::StrCat("the response's :status is ", status),
             ":status 200 (gRPC reports errors in grpc-status, not in the HTTP status)");
  const std::string type = r.InitialHeader("content-type").value_or("(none)");
  ctx.Expect(absl::StartsWith(type, "application/grpc"),
             absl::StrCat("the response's content-type is ", type),
             "content-type application/grpc (or application/grpc+proto, ...)",
             "set content-type on the response's HEADERS: clients reject anything else");
}

void ResponseEndsWithTrailers(CheckContext& ctx) {
  Wire w(ctx);
  std::int32_t id = 0;
  Wire::Call call = GetCreatedUser(w, &id);
  const StreamResult& r = call.r();
  w.ExpectEnded(call, "HEADERS, DATA, then trailers: HEADERS with END_STREAM",
                "send the trailers (grpc-status) when the call ends; a client waits for them");
  ctx.Expect(!r.reset_code.has_value(), "the server reset the stream instead of ending it",
             "trailers with END_STREAM");
  ctx.Expect(r.Trailers() != nullptr,
             r.data_ended_stream ? "a DATA frame ended the stream: there were no trailers"
                                 : "the stream did not end with a trailing HEADERS frame",
             "a second HEADERS frame (the trailers) with END_STREAM");
}

void GrpcStatusOnceInTrailers(CheckContext& ctx) {
  Wire w(ctx);
  std::int32_t id = 0;
  Wire::Call call = GetCreatedUser(w, &id);
  const StreamResult& r = call.r();
  w.ExpectEnded(call, "grpc-status 0 in the trailers");
  const std::vector<std::string> all = r.AllValues("grpc-status");
  // (A block that ends the stream is trailers, even when it is the first.)
  const bool in_initial = !r.header_blocks.empty() && !r.block_ends_stream.front() &&
                          wire::Has(r.header_blocks.front(), "grpc-status");
  ctx.Expect(!in_initial, "grpc-status in the initial HEADERS of a successful call",
             "grpc-status only in the trailers (the last HEADERS, with END_STREAM)",
             "the status is known only when the call ends: send it in the trailers");
  ctx.Expect(!all.empty(), "no grpc-status anywhere in the response",
             "grpc-status: 0 in the trailers, also on success",
             "OK is a status too: clients treat a missing grpc-status as an error");
  ctx.Expect(all.size() == 1, absl::StrCat("grpc-status appears ", all.size(), " times"),
             "exactly once");
  const Headers* trailers = r.Trailers();
  ctx.Expect(trailers != nullptr && wire::Has(*trailers, "grpc-status"),
             "grpc-status is not in the trailers", "grpc-status: 0 in the trailers");
  ctx.Expect(wire::Value(*trailers, "grpc-status") == "0",
             absl::StrCat("grpc-status is ", wire::Value(*trailers, "grpc-status"),
                          " on a successful GetUser"),
             "grpc-status: 0");
}

void ResponseIsLengthPrefixed(CheckContext& ctx) {
  Wire w(ctx);
  std::int32_t id = 0;
  Wire::Call call = GetCreatedUser(w, &id);
  const StreamResult& r = call.r();
  w.ExpectEnded(call, "one length-prefixed User, then trailers");
  auto messages = wire::SplitMessages(r.data);
  ctx.Expect(messages.ok(),
             absl::StrCat("the response's DATA is not length-prefixed messages: ",
                          messages.status().message()),
             "each message: a compressed flag byte, a 4-byte big-endian length, that many bytes",
             "write the 5-byte prefix with the real length of the serialized message");
  ctx.Expect(messages->size() == 1,
             absl::StrCat("a unary response carried ", messages->size(), " messages"),
             "exactly one message");
  const wire::WireMessage& message = messages->front();
  ctx.Expect(!message.compressed || !r.InitialHeader("grpc-encoding").value_or("").empty(),
             "the message is flagged compressed but the response has no grpc-encoding",
             "compressed flag 0, or a grpc-encoding header naming the algorithm");
  if (message.compressed) return;  // its content would need the algorithm
  v1::User user;
  ctx.Expect(user.ParseFromString(message.bytes) && user.id() == id,
             absl::StrCat("the message does not parse as the User with id ", id),
             absl::StrCat("User{id: ", id, " ...}"));
}

// W3: the ALREADY_EXISTS message names an email with a '%' and a non-ASCII
// letter, so the server has to percent-encode grpc-message.
struct Duplicate {
  std::string email;
  std::string raw_message;
};

Duplicate DuplicateEmailMessage(Wire& w) {
  CheckContext& ctx = w.ctx();
  v1::CreateUserRequest first = FreshUser(ctx, "Zoë");
  first.set_email("zoë-100%-" + first.email());
  CreateResult created = CreateUsers(ctx, {first});
  ctx.ExpectCode(created.status, grpc::StatusCode::OK,
                 absl::StrCat("creating a user with email ", first.email()),
                 "rule C1 allows any non-whitespace bytes in the local part");
  ctx.Sent(absl::StrCat("CreateUsers <- {email: ", first.email(), "} again"));
  Wire::Call call = w.Exchange(w.Request("CreateUsers", Authorized(ctx)),
                               {wire::LengthPrefixed(first.SerializeAsString())});
  w.ExpectStatus(call, kAlreadyExists, "CreateUsers with a taken email");
  return {first.email(), wire::Value(call.r().header_blocks.back(), "grpc-message")};
}

void GrpcMessageIsPercentEncoded(CheckContext& ctx) {
  Wire w(ctx);
  const Duplicate d = DuplicateEmailMessage(w);
  const std::string problem = wire::PercentEncodingProblem(d.raw_message);
  ctx.Expect(problem.empty(), absl::StrCat("grpc-message is not percent-encoded: ", problem),
             "bytes 0x20-0x7E as they are, every other byte and '%' as %XX",
             "percent-encode the message (gRPC libraries do it for you)");
}

void NonAsciiMessageSurvives(CheckContext& ctx) {
  Wire w(ctx);
  const Duplicate d = DuplicateEmailMessage(w);
  const std::string decoded = wire::PercentDecode(d.raw_message);
  ctx.Expect(absl::StrContains(decoded, d.email),
             absl::StrCat("the decoded grpc-message \"", decoded, "\" does not contain ", d.email),
             "the email, byte for byte, after percent-decoding",
             "encode the UTF-8 bytes, not a transliteration; decode %XX as bytes");
}

// W4: an immediate error is one HEADERS frame with END_STREAM.
void ImmediateErrorIsTrailersOnly(CheckContext& ctx) {
  Wire w(ctx);
  const std::int32_t id = UnusedId(ctx);
  ctx.Sent(absl::StrCat("GetUser <- id ", id));
  Wire::Call call = GetUser(w, id);
  w.ExpectStatus(call, kNotFound, "GetUser of an unused id");
  ctx.Expect(call.r().TrailersOnly(),
             absl::StrCat("the error came as ", call.r().header_blocks.size(),
                          " HEADERS frame(s) and ", call.r().data_frames, " DATA frame(s)"),
             "Trailers-Only: a single HEADERS with :status 200, grpc-status and END_STREAM",
             "the spec permits, and common servers use, Trailers-Only for an error before "
             "any message");
  ctx.Expect(call.r().AllValues("grpc-status").size() == 1, "grpc-status appears more than once",
             "exactly once");
}

// W5: request framing.
void MessageSplitAcrossDataFrames(CheckContext& ctx) {
  Wire w(ctx);
  const std::int32_t id = UnusedId(ctx);
  const std::string message = wire::LengthPrefixed(GetUserMessage(id));
  std::vector<std::string> frames = {message.substr(0, 2), message.substr(2, 4), message.substr(6)};
  ctx.Sent(absl::StrCat("GetUser <- id ", id, " in 3 DATA frames of 2, 4 and ", message.size() - 6,
                        " bytes"));
  Wire::Call call = w.Exchange(w.Request("GetUser"), frames);
  w.ExpectStatus(call, kNotFound, "GetUser split across DATA frames",
                 "reassemble a message from DATA frames: frame and message boundaries differ");
  const std::string text =
      wire::PercentDecode(wire::Value(call.r().header_blocks.back(), "grpc-message"));
  ctx.Expect(absl::StrContains(text, std::to_string(id)),
             absl::StrCat("NOT_FOUND does not name id ", id, ": the message was misread"),
             absl::StrCat("NOT_FOUND naming ", id));
}

void SeveralMessagesInOneFrame(CheckContext& ctx) {
  Wire w(ctx);
  std::string frame;
  for (int i = 0; i < 3; ++i) {
    frame += wire::LengthPrefixed(FreshUser(ctx, absl::StrCat("Framed ", i)).SerializeAsString());
  }
  ctx.Sent("CreateUsers <- 3 valid users in one DATA frame with END_STREAM");
  Wire::Call call = w.Exchange(w.Request("CreateUsers", Authorized(ctx)), {frame});
  w.ExpectStatus(call, kOk, "CreateUsers with three messages in one DATA frame",
                 "keep reading messages after the first one in a DATA frame");
  auto messages = wire::SplitMessages(call.r().data);
  v1::CreateUsersResponse response;
  ctx.Expect(messages.ok() && messages->size() == 1 && !messages->front().compressed &&
                 response.ParseFromString(messages->front().bytes) && response.ids_size() == 3,
             absl::StrCat("the response does not hold 3 ids: ", Describe(response)),
             "CreateUsersResponse with 3 ids (one per message)");
}

void ZeroLengthMessageAccepted(CheckContext& ctx) {
  Wire w(ctx);
  ctx.Sent("GetUser <- a zero-length message (00 00 00 00 00): GetUserRequest{id: 0}");
  Wire::Call call = w.Exchange(w.Request("GetUser"), {wire::LengthPrefixed("")});
  w.ExpectStatus(call, kInvalidArgument, "GetUser with a zero-length message",
                 "a zero-length message is a valid protobuf with every field at its default; "
                 "here id 0, which G1 rejects");
}

void AddResponseChecks(std::vector<CheckDef>& checks) {
  Add(checks, "wire.response.status-200-and-grpc-content-type", "W1",
      "a response has :status 200 and content-type application/grpc", ResponseHeadersAreGrpc);
  Add(checks, "wire.response.ends-with-trailers", "W1",
      "a response ends with a trailing HEADERS frame with END_STREAM", ResponseEndsWithTrailers);
  Add(checks, "wire.response.grpc-status-once-in-trailers", "W2",
      "grpc-status appears exactly once, in the trailers, also on success",
      GrpcStatusOnceInTrailers);
  Add(checks, "wire.grpc-message.percent-encoded", "W3",
      "grpc-message is percent-encoded (a '%' and UTF-8 in the text)", GrpcMessageIsPercentEncoded);
  Add(checks, "wire.grpc-message.non-ascii-survives", "W3",
      "a non-ASCII grpc-message survives the round trip", NonAsciiMessageSurvives);
  Add(checks, "wire.error.trailers-only", "W4",
      "an immediate error is Trailers-Only: one HEADERS frame with END_STREAM",
      ImmediateErrorIsTrailersOnly, Level::kShould);
  Add(checks, "wire.framing.response-is-length-prefixed", "W5",
      "response messages carry a true 5-byte prefix (flag, big-endian length)",
      ResponseIsLengthPrefixed);
  Add(checks, "wire.framing.message-split-across-data-frames", "W5",
      "a message split across DATA frames is accepted", MessageSplitAcrossDataFrames);
  Add(checks, "wire.framing.several-messages-in-one-frame", "W5",
      "several messages in one DATA frame are accepted", SeveralMessagesInOneFrame);
  Add(checks, "wire.framing.zero-length-message", "W5",
      "a zero-length message is accepted (and parsed as all defaults)", ZeroLengthMessageAccepted);
}

}  // namespace
}  // namespace wire_suite

void AddWireChecks(std::vector<CheckDef>& checks) {
  wire_suite::AddResponseChecks(checks);            // W1-W5
  wire_suite::AddTimeoutChecks(checks);             // W6
  wire_suite::AddRequestHeaderChecks(checks);       // W7
  wire_suite::AddCompressionAndSizeChecks(checks);  // W8
  wire_suite::AddConnectionChecks(checks);          // W9
}

}  // namespace course::harness
