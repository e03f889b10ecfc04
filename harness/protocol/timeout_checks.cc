// grpc-timeout over its whole grammar (PROTOCOL-HTTP2 "Requests": Timeout is
// TimeoutValue, at most 8 digits, and a unit H M S m u n) and the server's
// side of deadlines (PROTOCOL-HTTP2 "Client Cancellation": the server tracks
// the deadline the Timeout gives and ends the call when it passes). The rule
// above all: a call is never ended early. Health/Watch, a stream that never
// ends by itself, is the slow handler the harness controls on any server.
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "protocol/wire_kit.h"

namespace course::harness::protocol {
namespace {

using std::chrono::milliseconds;
using wire::Clock;
// Longer than any test, and safe to subtract from in nanoseconds.
constexpr milliseconds kForever = std::chrono::hours(24 * 365 * 100);
using wire_suite::GrpcStatus;
using wire_suite::Millis;

constexpr int kDeadlineExceeded = 4;

struct Timeout {
  std::string value;
  milliseconds duration;  // what the value means (long ones: "longer than the test")
  bool enforced;          // short enough to watch the server end the call
};

// Every unit, the shortest and the longest legal values, and 8 digits.
const std::vector<Timeout>& WatchedTimeouts() {
  static const std::vector<Timeout> all = {{"1S", milliseconds(1000), true},
                                           {"800m", milliseconds(800), true},
                                           {"700000u", milliseconds(700), true},
                                           {"99999999n", milliseconds(99), true},
                                           {"00000600m", milliseconds(600), true},
                                           {"1H", milliseconds(3600000), false},
                                           {"1M", milliseconds(60000), false},
                                           {"99999999H", kForever, false},
                                           {"99999999M", kForever, false},
                                           {"99999999S", kForever, false},
                                           {"99999999m", milliseconds(99999999), false}};
  return all;
}

struct Watched {
  Timeout timeout;
  std::int32_t stream = 0;
  std::optional<Clock::duration> ended;  // when the stream ended, from the start
};

// Opens a Watch per timeout on one connection and watches them until every
// enforced one ended or 1.5 s after the longest of them.
std::vector<Watched> WatchAll(Wire& w) {
  CheckContext& ctx = w.ctx();
  if (!HealthServed(ctx)) {
    throw CheckSkipped("needs grpc.health.v1.Health/Watch, a call that only its deadline ends");
  }
  wire::H2Client& c = w.Connect();
  std::vector<Watched> watched;
  const std::string request = wire::LengthPrefixed("");  // HealthCheckRequest{service: ""}
  for (const Timeout& t : WatchedTimeouts()) {
    wire::Headers headers = w.Request("/grpc.health.v1.Health/Watch", MetadataHeaders(ctx));
    headers.emplace_back("grpc-timeout", t.value);
    watched.push_back({t, c.SubmitRequest(headers, {request}), std::nullopt});
  }
  ctx.Sent(absl::StrCat("grpc.health.v1.Health/Watch <- {} on ", watched.size(),
                        " streams of one connection, with grpc-timeout ",
                        absl::StrJoin(watched, ", ", [](std::string* out, const Watched& x) {
                          out->append(x.timeout.value);
                        })));
  const auto start = Clock::now();
  const auto until = start + milliseconds(1000 + 1500);
  c.RunUntil(
      [&] {
        bool all_enforced_ended = true;
        for (Watched& x : watched) {
          const wire::StreamResult& r = c.stream(x.stream);
          if (!x.ended && (r.closed || r.reset_code || r.end_stream))
            x.ended = Clock::now() - start;
          all_enforced_ended = all_enforced_ended && (!x.timeout.enforced || x.ended);
        }
        return all_enforced_ended;
      },
      until);
  // The long ones must still be open: keep listening to the end of the window.
  c.RunUntil([] { return false; }, std::min(until, start + milliseconds(1700)));
  for (Watched& x : watched) {
    const wire::StreamResult& r = c.stream(x.stream);
    if (!x.ended && (r.closed || r.reset_code || r.end_stream)) x.ended = Clock::now() - start;
  }
  w.Record();
  for (const Watched& x : watched) {
    const wire::StreamResult& r = c.stream(x.stream);
    const std::optional<int> status = GrpcStatus(r);
    ctx.Received(absl::StrCat(
        "grpc-timeout ", x.timeout.value, ": ",
        x.ended ? absl::StrCat("ended after ", Millis(*x.ended), " with ",
                               status         ? absl::StrCat("grpc-status ", *status)
                               : r.reset_code ? absl::StrCat("RST_STREAM ", *r.reset_code)
                                              : "no status")
                : "still open"));
  }
  return watched;
}

void NeverEndedEarly(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  for (const Watched& x : WatchAll(w)) {
    if (!x.ended) continue;
    const Clock::duration early = x.timeout.duration - *x.ended;
    ctx.Expect(early < milliseconds(20),
               absl::StrCat("the Watch with grpc-timeout ", x.timeout.value, " ended after ",
                            Millis(*x.ended), ", ", Millis(early), " early"),
               absl::StrCat("the call open for the whole ", x.timeout.value),
               "read TimeoutValue as up to 8 decimal digits and the unit as H hours, M "
               "minutes, S seconds, m milliseconds, u microseconds, n nanoseconds; compute in "
               "64 bits (99999999H is about 11,000 years)");
  }
}

void EnforcedNearTheDeadline(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  for (const Watched& x : WatchAll(w)) {
    if (!x.timeout.enforced) continue;
    ctx.Expect(x.ended.has_value(),
               absl::StrCat("the Watch with grpc-timeout ", x.timeout.value,
                            " was still open 1.5 s after its deadline"),
               "the server ends the call at its deadline (DEADLINE_EXCEEDED, or RST_STREAM)",
               "track the deadline grpc-timeout gives; cancel the handler when it passes");
  }
}

// Unary calls of the live method with legal values: never DEADLINE_EXCEEDED
// for a long one; a short one may be.
void LegalValuesOnTheLiveMethod(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  wire::H2Client& c = w.Connect();
  const std::map<std::string, bool> values = {
      {"1n", false},       {"1u", false},       {"1m", false},        {"1S", true},
      {"1M", true},        {"1H", true},        {"99999999H", true},  {"99999999M", true},
      {"99999999S", true}, {"99999999m", true}, {"99999999u", false}, {"99999999n", false},
      {"00000005S", true}};
  Wire::Call plain = CallLiveOn(w, c, method, {wire::LengthPrefixed(method.request)});
  const int baseline = EndedWithStatus(w, plain, "the live method without grpc-timeout");
  for (const auto& [value, long_enough] : values) {
    ctx.Sent(absl::StrCat(method.path, " <- grpc-timeout: ", value));
    Wire::Call call =
        CallLiveOn(w, c, method, {wire::LengthPrefixed(method.request)}, {{"grpc-timeout", value}});
    const int status = EndedWithStatus(w, call, absl::StrCat("grpc-timeout ", value));
    const bool fine = status == baseline || (!long_enough && status == kDeadlineExceeded);
    ctx.Expect(fine,
               absl::StrCat("with grpc-timeout ", value, " the call got grpc-status ", status,
                            " where it got ", baseline, " without one"),
               long_enough ? absl::StrCat("grpc-status ", baseline, ": ", value, " is plenty")
                           : absl::StrCat("grpc-status ", baseline, " or DEADLINE_EXCEEDED"),
               "a legal grpc-timeout is 1 to 8 digits and a unit; large values must not "
               "overflow into a past deadline");
  }
}

void MalformedValuesDoNoHarm(CheckContext& ctx) {
  Wire w(ctx, /*tls=*/true);
  const LiveMethod method = PickLiveMethod(ctx);
  wire::H2Client& c = w.Connect();
  std::vector<std::string> answers;
  for (const char* value :
       {"1x", "abc", "123456789S", "-5m", "S", "", "1.5S", "+1S", " 1S", "1 S", "1s"}) {
    if (c.peer_closed()) break;
    ctx.Sent(absl::StrCat(method.path, " <- grpc-timeout: \"", value, "\""));
    Wire::Call call =
        CallLiveOn(w, c, method, {wire::LengthPrefixed(method.request)}, {{"grpc-timeout", value}});
    ctx.Expect(call.ended, absl::StrCat("grpc-timeout \"", value, "\" got no answer"),
               "an answer: served as without a timeout, or rejected with a status",
               "treat a malformed grpc-timeout as a bad request, or ignore it");
    answers.push_back(absl::StrCat("\"", value, "\": ", Ending(call)));
  }
  ctx.Note(absl::StrJoin(answers, ", "));
  ctx.Sent(absl::StrCat(method.path, " <- no grpc-timeout, on a new connection"));
  Wire::Call after = CallLive(w, method, {wire::LengthPrefixed(method.request)});
  EndedWithStatus(w, after, "a normal call after malformed grpc-timeout values",
                  "a malformed header must never bring the server down");
}

}  // namespace

void AddTimeoutChecks(std::vector<CheckDef>& checks) {
  Add(checks, "protocol.grpc-timeout.never-ends-a-call-early", "PROTOCOL-HTTP2 Requests",
      "grpc-timeout in every unit, 1 to 8 digits, up to 99999999H: a call is never ended early",
      NeverEndedEarly);
  Add(checks, "protocol.grpc-timeout.server-ends-call-at-deadline",
      "PROTOCOL-HTTP2 Client Cancellation",
      "the server ends a call whose grpc-timeout passed (within 1.5 s)", EnforcedNearTheDeadline,
      Level::kShould);
  Add(checks, "protocol.grpc-timeout.legal-values-accepted", "PROTOCOL-HTTP2 Requests",
      "the smallest and largest legal grpc-timeout values get the call's own answer",
      LegalValuesOnTheLiveMethod);
  Add(checks, "protocol.grpc-timeout.malformed-values-do-no-harm", "PROTOCOL-HTTP2 Requests",
      "malformed grpc-timeout values get an answer and do not bring the server down",
      MalformedValuesDoNoHarm);
}

}  // namespace course::harness::protocol
