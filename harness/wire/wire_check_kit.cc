// The shared part of the wire checks (wire_check_kit.h).
#include "wire/wire_check_kit.h"

#include <chrono>
#include <climits>
#include <stdexcept>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/calls.h"
#include "core/describe.h"

namespace course::harness::wire_suite {
namespace {

bool ServerSettingsSeen(const H2Client& c) {
  for (const wire::Frame& f : c.frames()) {
    if (f.direction == wire::Direction::kReceived && f.type == 4 /* SETTINGS */ &&
        (f.flags & 1) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string Millis(Clock::duration d) {
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  return absl::StrFormat(ms < 10 && ms > -10 ? "%.1f ms" : "%.0f ms", ms);
}

std::optional<int> GrpcStatus(const StreamResult& r) {
  if (r.header_blocks.empty() || !r.block_ends_stream.back()) return std::nullopt;
  const Headers& last = r.header_blocks.back();
  if (!wire::Has(last, "grpc-status")) return std::nullopt;
  const std::string value = wire::Value(last, "grpc-status");
  if (value.empty() || value.size() > 2 ||
      value.find_first_not_of("0123456789") != std::string::npos) {
    return -1;
  }
  return std::stoi(value);
}

std::string Summary(const StreamResult& r, bool ended) {
  std::string text;
  for (std::size_t i = 0; i < r.header_blocks.size(); ++i) {
    absl::StrAppend(&text, i == 0 ? "HEADERS" : "; HEADERS",
                    r.block_ends_stream[i] ? " (END_STREAM)" : "", " {");
    bool first = true;
    for (const auto& [name, value] : r.header_blocks[i]) {
      absl::StrAppend(&text, first ? "" : ", ", name, ": ", value.substr(0, 120));
      first = false;
    }
    absl::StrAppend(&text, "}");
    if (i == 0 && r.data_frames > 0) {
      absl::StrAppend(&text, "; ", r.data_frames, " DATA frame(s), ", r.data.size(), " bytes",
                      r.data_ended_stream ? " (END_STREAM)" : "");
    }
  }
  if (r.header_blocks.empty()) text = "no HEADERS";
  if (r.reset_code) absl::StrAppend(&text, "; RST_STREAM error ", *r.reset_code);
  if (!ended) absl::StrAppend(&text, "; the stream had not ended");
  return text;
}

Wire::Wire(CheckContext& ctx, bool tls) : ctx_(ctx), address_(ctx.target().Address()) {
  if (address_.empty()) {
    throw CheckSkipped("the in-process target has no socket to look at");
  }
  const TlsOptions& options = ctx.target().Tls();
  if (options.enabled && !tls) {
    throw CheckSkipped("the course's wire checks speak plaintext (h2c) only");
  }
  tls_ = {options.enabled, options.ca_file, options.server_name, options.cert_file,
          options.key_file};
  authority_ = absl::StartsWith(address_, "unix:") ? "localhost" : address_;
}

H2Client& Wire::Connect(bool preface) {
  auto client = H2Client::Connect(address_, Deadline(), tls_);
  if (!client.ok()) {
    ctx_.Fail(absl::StrCat("could not open a connection: ", client.status().message()),
              "a server that accepts TCP connections on its address");
  }
  clients_.push_back(std::move(*client));
  H2Client& c = *clients_.back();
  if (preface) {
    c.SubmitSettings();
    const bool settled = c.RunUntil([&] { return ServerSettingsSeen(c); }, Deadline());
    Record();
    if (!settled) {
      ctx_.Fail("the server sent no SETTINGS frame after the client preface",
                "the server's connection preface: a SETTINGS frame",
                "every HTTP/2 server starts by sending SETTINGS");
    }
  } else {
    c.RawOnly();
  }
  return c;
}

Wire::Call Wire::ExchangeOn(H2Client& c, const Headers& headers, std::vector<std::string> frames,
                            Clock::time_point deadline) {
  const std::int32_t id = c.SubmitRequest(headers, std::move(frames));
  if (id <= 0) throw std::runtime_error("nghttp2 refused to submit the request");
  const auto start = Clock::now();
  const bool ended = c.WaitForStream(id, deadline);
  const auto took = Clock::now() - start;
  Record();
  Call call{&c, id, ended, took};
  ctx_.Received(Summary(call.r(), ended));
  return call;
}

int Wire::ExpectStatus(const Call& call, int code, const std::string& what,
                       const std::string& hint) {
  const StreamResult& r = call.r();
  if (!call.ended) {
    ctx_.Fail(absl::StrCat(what, ": the stream did not end within ", Millis(ctx_.rpc_deadline())),
              absl::StrCat("grpc-status ", code, " in trailers"), hint);
  }
  std::optional<int> status = GrpcStatus(r);
  if (!status) {
    ctx_.Fail(absl::StrCat(what, ": the stream ended without grpc-status in its last HEADERS",
                           r.reset_code ? " (it was reset)" : ""),
              absl::StrCat("grpc-status ", code, " in trailers"), hint);
  }
  if (*status != code) {
    ctx_.Fail(absl::StrCat(what, ": got grpc-status ", *status, ", want ", code),
              absl::StrCat("grpc-status ", code), hint);
  }
  return *status;
}

void Wire::ExpectEnded(const Call& call, const std::string& expected, const std::string& hint) {
  ctx_.Expect(call.ended,
              absl::StrCat("the response stream did not end within ", Millis(ctx_.rpc_deadline())),
              expected, hint);
}

void Wire::Record() {
  std::string trace;
  for (std::size_t i = 0; i < clients_.size(); ++i) {
    absl::StrAppend(&trace, "connection ", i + 1, " to ", address_, ":\n",
                    clients_[i]->FormatLog());
    if (!clients_[i]->session_error().empty()) {
      absl::StrAppend(&trace, "   (nghttp2 stopped decoding: ", clients_[i]->session_error(),
                      ")\n");
    }
    if (clients_[i]->peer_closed())
      absl::StrAppend(&trace, "   (the server closed the connection)\n");
  }
  ctx_.SetTrace(trace);
}

std::string GetUserMessage(std::int32_t id) {
  v1::GetUserRequest request;
  request.set_id(id);
  return request.SerializeAsString();
}

std::int32_t UnusedId(CheckContext& ctx) {
  return INT_MAX - static_cast<std::int32_t>(ctx.rng()() % 1000);
}

Headers Authorized(CheckContext& ctx) {
  if (ctx.target().Token().empty()) return {};
  return {{"authorization", "Bearer " + ctx.target().Token()}};
}

Wire::Call GetCreatedUser(Wire& w, std::int32_t* id) {
  const std::vector<v1::User> users = MakeUsers(w.ctx(), 1);
  *id = users.front().id();
  w.ctx().Sent(absl::StrCat("GetUser <- id ", *id, " (HEADERS, then one DATA with END_STREAM)"));
  return GetUser(w, *id);
}

Wire::Call GetUser(Wire& w, std::int32_t id, const Headers& extra) {
  return w.Exchange(w.Request("GetUser", extra), {wire::LengthPrefixed(GetUserMessage(id))});
}

v1::ListUsersRequest SlowListOfNewUsers(CheckContext& ctx, int count, int interval_ms) {
  const std::vector<v1::User> users = MakeUsers(ctx, count);
  v1::ListUsersRequest request;
  request.set_after_id(users.front().id() - 1);
  request.set_page_size(count);
  request.set_interval_ms(interval_ms);
  return request;
}

void Add(std::vector<CheckDef>& checks, const char* id, const char* rule, const char* title,
         std::function<void(CheckContext&)> body, Level level) {
  checks.push_back({id, rule, title, std::move(body), level});
}

void ExpectPingEchoed(Wire& w, const std::string& opaque, const std::string& hex,
                      const std::string& cite) {
  H2Client& c = w.Connect();
  w.ctx().Sent(absl::StrCat("PING <- ", hex));
  c.SubmitPing(opaque);
  const bool acked = c.RunUntil(
      [&] {
        for (const std::string& ack : c.ping_acks()) {
          if (ack == opaque) return true;
        }
        return false;
      },
      w.Deadline());
  w.Record();
  w.ctx().Expect(
      acked, c.ping_acks().empty() ? "no PING ACK came back" : "the PING ACK carried other bytes",
      "PING with ACK and the same 8 bytes", cite);
}

void SendUnknownFrame(Wire& w, H2Client& c, const std::string& then) {
  // Type 0xbb, no flags, stream 0, 4 bytes of payload.
  const std::string frame(
      "\x00\x00\x04\xbb\x00\x00\x00\x00\x00"
      "abcd",
      13);
  w.ctx().Sent(
      absl::StrCat("a frame of type 0xbb on stream 0, then ", then, " on the same connection"));
  absl::Status sent = c.SendRaw(frame, w.Deadline());
  w.ctx().Expect(sent.ok(), absl::StrCat("could not send the frame: ", sent.message()),
                 "the connection open");
}

bool BadPrefaceCloses(Wire& w, H2Client& c) {
  w.ctx().Sent("PRI * HTTP/2.0\\r\\n\\r\\nXX\\r\\n\\r\\n (the magic with SM replaced)");
  (void)c.SendRaw(std::string("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"), w.Deadline());
  const bool closed = c.WaitForClose(w.Deadline());
  w.Record();
  return closed;
}

}  // namespace course::harness::wire_suite
