// The HTTP/2 connection under gRPC (RFC 9113): PING, frames of unknown type,
// a bad preface, HTTP/1.1, many concurrent streams, RST_STREAM freeing a
// stream, and a graceful stop (PROTOCOL-HTTP2 "GOAWAY Frame").
#include <future>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "protocol/wire_kit.h"

namespace course::harness::protocol {
namespace {

using wire::Clock;
using wire_suite::GrpcStatus;
using wire_suite::Millis;

// Streams a check opens at once when the server names no limit (gRPC C++
// 1.51 names none).
constexpr std::uint32_t kStreamCap = 100;

void PingAnswered(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  wire_suite::ExpectPingEchoed(w, "grpc\x01\x02\x03\x04", "67 72 70 63 01 02 03 04",
                               "RFC 9113 6.7");
}

void UnknownFrameTypeIgnored(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  wire::H2Client& c = w.Connect();
  wire_suite::SendUnknownFrame(w, c, "the live method");
  Wire::Call call = CallLiveOn(w, c, method, {wire::LengthPrefixed(method.request)});
  ctx.Expect(!c.goaway_code().has_value(), "the server sent GOAWAY after a frame of unknown type",
             "frames of unknown type ignored (RFC 9113 4.1 and 5.5)");
  EndedWithStatus(w, call, "a call after a frame of unknown type");
}

void BadPrefaceCloses(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  wire::H2Client& c = w.Connect(/*preface=*/false);
  const bool closed = wire_suite::BadPrefaceCloses(w, c);
  ctx.Expect(closed,
             absl::StrCat("the connection was still open after ", Millis(ctx.rpc_deadline())),
             "the server closes the connection (RFC 9113 3.4: a PROTOCOL_ERROR)");
}

void Http1GetsNoGrpcAnswer(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  wire::H2Client& c = w.Connect(/*preface=*/false);
  const std::string body = wire::LengthPrefixed(method.request);
  ctx.Sent(absl::StrCat("POST ", method.path, " HTTP/1.1 with content-type application/grpc"));
  (void)c.SendRaw(absl::StrCat("POST ", method.path, " HTTP/1.1\r\nHost: ", w.address(),
                               "\r\ncontent-type: application/grpc\r\nte: trailers\r\n"
                               "content-length: ",
                               body.size(), "\r\n\r\n", body),
                  w.Deadline());
  c.RunUntil([&] { return absl::StrContains(c.received_bytes(), "\r\n\r\n"); }, w.Deadline());
  w.Record();
  const std::size_t start = c.received_bytes().find("HTTP/1.");
  const std::string head =
      start == std::string::npos
          ? ""
          : c.received_bytes().substr(start, c.received_bytes().find("\r\n\r\n"));
  ctx.Received(head.empty() ? "no HTTP/1.1 answer" : head);
  const std::string lower = absl::AsciiStrToLower(head);
  ctx.Expect(
      !absl::StrContains(lower, "grpc-status") && !absl::StrContains(lower, "application/grpc"),
      "an HTTP/1.1 request got a gRPC answer",
      "no gRPC answer over HTTP/1.1 (gRPC needs HTTP/2: RFC 9113 3, PROTOCOL-HTTP2)");
}

// Opens `count` calls on `c` with their HEADERS only, so that all are open
// at once.
std::vector<std::int32_t> OpenStreams(Wire& w, wire::H2Client& c, const LiveMethod& method,
                                      std::uint32_t count) {
  std::vector<std::int32_t> ids;
  for (std::uint32_t i = 0; i < count; ++i) {
    ids.push_back(c.SubmitRequest(LiveHeaders(w.ctx(), w, method), {}, /*end_stream=*/false));
  }
  // A PING after them: its ACK means the server has read every HEADERS.
  c.SubmitPing("streams!");
  c.RunUntil([&] { return !c.ping_acks().empty(); }, w.Deadline());
  return ids;
}

// Finishes the requests of `ids` and fails unless each ends with `baseline`.
void FinishAll(Wire& w, wire::H2Client& c, const LiveMethod& method,
               const std::vector<std::int32_t>& ids, int baseline, const std::string& what) {
  for (std::int32_t id : ids) c.SubmitData(id, {wire::LengthPrefixed(method.request)}, true);
  c.RunUntil(
      [&] {
        for (std::int32_t id : ids) {
          if (!c.stream(id).closed && !c.stream(id).reset_code) return false;
        }
        return true;
      },
      w.Deadline());
  w.Record();
  int good = 0;
  std::string first_bad;
  for (std::int32_t id : ids) {
    const std::optional<int> status = GrpcStatus(c.stream(id));
    if (status == baseline) {
      ++good;
    } else if (first_bad.empty()) {
      const auto& r = c.stream(id);
      first_bad =
          absl::StrCat("stream ", id, ": ",
                       status         ? absl::StrCat("grpc-status ", *status)
                       : r.reset_code ? absl::StrCat("RST_STREAM error ", *r.reset_code,
                                                     *r.reset_code == 7 ? " (REFUSED_STREAM)" : "")
                                      : "no end");
    }
  }
  w.ctx().Expect(
      good == static_cast<int>(ids.size()),
      absl::StrCat(what, ": ", good, " of ", ids.size(), " calls got grpc-status ", baseline,
                   "; first other: ", first_bad),
      absl::StrCat("every call answered, as one call alone is (grpc-status ", baseline, ")"),
      "a server serves as many streams at once as its SETTINGS_MAX_CONCURRENT_STREAMS "
      "allows, and frees a stream's slot when it closes or is reset");
}

struct Prepared {
  LiveMethod method;
  int baseline;
  std::uint32_t count;
};

Prepared Prepare(Wire& w, wire::H2Client& c) {
  Prepared p{PickLiveMethod(w.ctx()), 0, kStreamCap};
  Wire::Call plain = CallLiveOn(w, c, p.method, {wire::LengthPrefixed(p.method.request)});
  p.baseline = EndedWithStatus(w, plain, "one call alone");
  if (auto limit = c.PeerMaxConcurrentStreams()) p.count = std::min(*limit, kStreamCap);
  w.ctx().Note(absl::StrCat(
      p.count, " streams at once (the server advertises ",
      c.PeerMaxConcurrentStreams() ? absl::StrCat(*c.PeerMaxConcurrentStreams()) : "no limit",
      ")"));
  return p;
}

void ConcurrentStreams(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  wire::H2Client& c = w.Connect();
  const Prepared p = Prepare(w, c);
  ctx.Sent(absl::StrCat(p.count, " calls to ", p.method.path,
                        " opened at once on one connection, then their messages"));
  const std::vector<std::int32_t> ids = OpenStreams(w, c, p.method, p.count);
  FinishAll(w, c, p.method, ids, p.baseline, absl::StrCat(p.count, " concurrent calls"));
}

void RstStreamFreesStream(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  wire::H2Client& c = w.Connect();
  const Prepared p = Prepare(w, c);
  ctx.Sent(absl::StrCat(p.count, " calls opened at once and reset (RST_STREAM CANCEL), then ",
                        p.count, " more on the same connection"));
  for (std::int32_t id : OpenStreams(w, c, p.method, p.count)) c.SubmitReset(id);
  const std::vector<std::int32_t> ids = OpenStreams(w, c, p.method, p.count);
  FinishAll(w, c, p.method, ids, p.baseline,
            absl::StrCat(p.count, " calls after ", p.count, " reset ones"));
}

}  // namespace

void AddConnectionChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.connection.ping-answered", "RFC 9113 6.7",
      "a PING is answered with a PING ACK carrying the same payload", PingAnswered);
  Add(checks, "protocol.connection.unknown-frame-type-ignored", "RFC 9113 5.5",
      "a frame of unknown type is ignored and the connection goes on", UnknownFrameTypeIgnored);
  Add(checks, "protocol.connection.bad-preface-closes", "RFC 9113 3.4",
      "a bad connection preface closes the connection", BadPrefaceCloses);
  Add(checks, "protocol.connection.http1-gets-no-grpc-answer", "RFC 9113 3",
      "an HTTP/1.1 request gets no gRPC answer", Http1GetsNoGrpcAnswer);
  Add(checks, "protocol.connection.concurrent-streams", "RFC 9113 5.1.2",
      "as many calls at once as SETTINGS_MAX_CONCURRENT_STREAMS allows (100 when unnamed) "
      "are all served",
      ConcurrentStreams);
  Add(checks, "protocol.connection.rst-stream-frees-stream", "RFC 9113 5.1",
      "streams reset by the client free their slots for new calls", RstStreamFreesStream);
}

}  // namespace course::harness::protocol
