// HTTP/2 wire checks of the connection (W9): PING, unknown frame types, a
// bad preface, HTTP/1.1. See wire_checks.cc for levels.

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

namespace course::harness::wire_suite {
namespace {

// W9: the connection.
void PingIsAnswered(CheckContext& ctx) {
  Wire w(ctx);
  ExpectPingEchoed(w, "wire\x01\x02\x03\x04", "77 69 72 65 01 02 03 04",
                   "RFC 9113 6.7: a PING must be answered with the same payload");
}

void UnknownFrameTypeIsIgnored(CheckContext& ctx) {
  Wire w(ctx);
  H2Client& c = w.Connect();
  SendUnknownFrame(w, c, "GetUser");
  const std::int32_t id = UnusedId(ctx);
  Wire::Call call = w.ExchangeOn(c, w.Request("GetUser"),
                                 {wire::LengthPrefixed(GetUserMessage(id))}, w.Deadline());
  ctx.Expect(!c.goaway_code().has_value(), "the server sent GOAWAY after an unknown frame type",
             "unknown frame types ignored (RFC 9113 4.1)");
  w.ExpectStatus(call, kNotFound, "GetUser after a frame of unknown type");
}

void BadPrefaceClosesConnection(CheckContext& ctx) {
  Wire w(ctx);
  H2Client& c = w.Connect(/*preface=*/false);
  const bool closed = BadPrefaceCloses(w, c);
  ctx.Expect(closed,
             absl::StrCat("the connection was still open after ", Millis(ctx.rpc_deadline())),
             "the server closes the connection (a PROTOCOL_ERROR, GOAWAY optional)",
             "RFC 9113 3.4: an invalid preface is a connection error");
  if (c.goaway_code()) ctx.Note(absl::StrCat("GOAWAY error ", *c.goaway_code(), ", then closed"));
}

void Http1RequestGetsNoGrpcAnswer(CheckContext& ctx) {
  Wire w(ctx);
  H2Client& c = w.Connect(/*preface=*/false);
  const std::string request = absl::StrCat(
      "POST /course.v1.UserService/GetUser HTTP/1.1\r\nHost: ", w.address(),
      "\r\ncontent-type: application/grpc\r\nte: trailers\r\ncontent-length: 7\r\n\r\n",
      wire::LengthPrefixed(GetUserMessage(1)));
  ctx.Sent("POST /course.v1.UserService/GetUser HTTP/1.1 with content-type application/grpc");
  (void)c.SendRaw(request, w.Deadline());
  c.RunUntil([&] { return absl::StrContains(c.received_bytes(), "\r\n\r\n"); }, w.Deadline());
  w.Record();
  // (An HTTP/1.1 answer may follow the server's HTTP/2 SETTINGS.)
  const std::size_t start = c.received_bytes().find("HTTP/1.");
  const std::string answer =
      start == std::string::npos ? c.received_bytes() : c.received_bytes().substr(start);
  const bool http1 = start != std::string::npos;
  const std::string head = answer.substr(0, answer.find("\r\n\r\n"));
  ctx.Received(http1 ? head : absl::StrCat(answer.size(), " bytes, not an HTTP/1.1 response"));
  const bool grpc_answer =
      http1 && (absl::StrContains(absl::AsciiStrToLower(head), "grpc-status") ||
                absl::StrContains(absl::AsciiStrToLower(head), "application/grpc"));
  ctx.Expect(!grpc_answer, "an HTTP/1.1 request got a gRPC answer",
             "no gRPC response over HTTP/1.1: a close, an HTTP/2 GOAWAY, or an HTTP error",
             "gRPC runs on HTTP/2 only; answering HTTP/1.1 lets proxies that downgrade "
             "silently lose trailers");
}

}  // namespace

void AddConnectionChecks(std::vector<CheckDef>& checks) {
  Add(checks, "wire.connection.ping-answered", "W9",
      "a PING is answered with a PING ACK carrying the same payload", PingIsAnswered);
  Add(checks, "wire.connection.unknown-frame-type-ignored", "W9",
      "a frame of unknown type is ignored and the connection goes on", UnknownFrameTypeIsIgnored);
  Add(checks, "wire.connection.bad-preface-closes", "W9",
      "a bad connection preface closes the connection", BadPrefaceClosesConnection);
  Add(checks, "wire.connection.http1-request-gets-no-grpc-answer", "W9",
      "an HTTP/1.1 request does not get a gRPC answer", Http1RequestGetsNoGrpcAnswer);
}

}  // namespace course::harness::wire_suite
