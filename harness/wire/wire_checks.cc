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
#include <climits>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/calls.h"
#include "core/check.h"
#include "core/describe.h"
#include "wire/grpc_wire.h"
#include "wire/h2_client.h"

namespace course::harness {
namespace {

using wire::Clock;
using wire::H2Client;
using wire::Headers;
using wire::StreamResult;

constexpr int kOk = 0, kDeadlineExceeded = 4, kNotFound = 5, kAlreadyExists = 6,
              kResourceExhausted = 8, kInvalidArgument = 3, kUnimplemented = 12, kInternal = 13;

std::string Millis(Clock::duration d) {
  const double ms = std::chrono::duration<double, std::milli>(d).count();
  return absl::StrFormat(ms < 10 && ms > -10 ? "%.1f ms" : "%.0f ms", ms);
}

// The gRPC status a response ended with: grpc-status of the block that
// ended the stream.
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

// One line about a response, for the "got" part of a failure.
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

// One check's view of the wire: the connections it opened, whose frames
// become the --trace of a failure.
class Wire {
 public:
  explicit Wire(CheckContext& ctx) : ctx_(ctx), address_(ctx.target().Address()) {
    if (address_.empty()) {
      throw CheckSkipped("the in-process target has no socket to look at");
    }
    if (absl::StrContains(ctx.target().Describe(), "(TLS)")) {
      throw CheckSkipped("the raw HTTP/2 client speaks plaintext (h2c) only");
    }
  }

  CheckContext& ctx() { return ctx_; }
  const std::string& address() const { return address_; }
  Clock::time_point Deadline() const { return Clock::now() + ctx_.rpc_deadline(); }
  Headers Request(const std::string& method, const Headers& extra = {}) const {
    return wire::RequestHeaders(address_, method, extra);
  }

  // A new connection; with `preface`, the client preface is sent and the
  // server's SETTINGS awaited.
  H2Client& Connect(bool preface = true) {
    auto client = H2Client::Connect(address_, Deadline());
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

  struct Call {
    H2Client* client;
    std::int32_t stream;
    bool ended;
    Clock::duration took;
    const StreamResult& r() const { return client->stream(stream); }
  };

  // One request on a fresh connection; waits for the stream to end.
  Call Exchange(const Headers& headers, std::vector<std::string> frames,
                Clock::time_point deadline) {
    H2Client& c = Connect();
    return ExchangeOn(c, headers, std::move(frames), deadline);
  }
  Call Exchange(const Headers& headers, std::vector<std::string> frames) {
    return Exchange(headers, std::move(frames), Deadline());
  }

  Call ExchangeOn(H2Client& c, const Headers& headers, std::vector<std::string> frames,
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

  // Fails unless the stream ended in time with grpc-status `code`.
  int ExpectStatus(const Call& call, int code, const std::string& what,
                   const std::string& hint = "") {
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

  void Record() {
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

 private:
  static bool ServerSettingsSeen(const H2Client& c) {
    for (const wire::Frame& f : c.frames()) {
      if (f.direction == wire::Direction::kReceived && f.type == 4 /* SETTINGS */ &&
          (f.flags & 1) == 0) {
        return true;
      }
    }
    return false;
  }

  CheckContext& ctx_;
  std::string address_;
  std::vector<std::unique_ptr<H2Client>> clients_;
};

std::string GetUserMessage(std::int32_t id) {
  v1::GetUserRequest request;
  request.set_id(id);
  return request.SerializeAsString();
}

// An id no server of this course hands out (see unary.cc).
std::int32_t UnusedId(CheckContext& ctx) {
  return INT_MAX - static_cast<std::int32_t>(ctx.rng()() % 1000);
}

Headers Authorized(CheckContext& ctx) {
  if (ctx.target().Token().empty()) return {};
  return {{"authorization", "Bearer " + ctx.target().Token()}};
}

// A successful GetUser of a user this check created, over the raw client.
Wire::Call GetCreatedUser(Wire& w, std::int32_t* id) {
  const std::vector<v1::User> users = MakeUsers(w.ctx(), 1);
  *id = users.front().id();
  w.ctx().Sent(absl::StrCat("GetUser <- id ", *id, " (HEADERS, then one DATA with END_STREAM)"));
  return w.Exchange(w.Request("GetUser"), {wire::LengthPrefixed(GetUserMessage(*id))});
}

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
  ctx.Expect(call.ended,
             absl::StrCat("the response stream did not end within ", Millis(ctx.rpc_deadline())),
             "HEADERS, DATA, then trailers: HEADERS with END_STREAM",
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
  ctx.Expect(call.ended,
             absl::StrCat("the response stream did not end within ", Millis(ctx.rpc_deadline())),
             "grpc-status 0 in the trailers");
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
  ctx.Expect(call.ended,
             absl::StrCat("the response stream did not end within ", Millis(ctx.rpc_deadline())),
             "one length-prefixed User, then trailers");
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
  Wire::Call call = w.Exchange(w.Request("GetUser"), {wire::LengthPrefixed(GetUserMessage(id))});
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

// W6: grpc-timeout, enforced by the server with no timer on the client.
struct Timeout {
  std::string value;
  Clock::duration duration;
};

void TimeoutIsEnforced(CheckContext& ctx, const Timeout& timeout) {
  Wire w(ctx);
  const std::vector<v1::User> users = MakeUsers(ctx, 3);
  v1::ListUsersRequest request;
  request.set_after_id(users.front().id() - 1);
  request.set_page_size(3);
  request.set_interval_ms(2000);  // 4 s in all: far past the timeout
  ctx.Sent(absl::StrCat("ListUsers <- ", Describe(request), " with grpc-timeout: ", timeout.value));
  H2Client& c = w.Connect();
  const auto bound = Clock::now() + timeout.duration + std::chrono::seconds(6);
  Wire::Call call = w.ExchangeOn(c, w.Request("ListUsers", {{"grpc-timeout", timeout.value}}),
                                 {wire::LengthPrefixed(request.SerializeAsString())}, bound);
  const auto late = call.took - timeout.duration;
  w.ExpectStatus(call, kDeadlineExceeded,
                 absl::StrCat("ListUsers with grpc-timeout ", timeout.value),
                 "read grpc-timeout (TimeoutValue then unit) and end the call with "
                 "DEADLINE_EXCEEDED when it passes");
  ctx.Expect(late > -std::chrono::milliseconds(50),
             absl::StrCat("DEADLINE_EXCEEDED came ", Millis(-late), " before the timeout"),
             absl::StrCat("DEADLINE_EXCEEDED after ", Millis(timeout.duration)),
             "check the unit: a timeout read too short ends calls early");
  ctx.Expect(late < std::chrono::milliseconds(1500),
             absl::StrCat("DEADLINE_EXCEEDED came ", Millis(late), " after the timeout"),
             "DEADLINE_EXCEEDED near the timeout (within 1.5 s)",
             "stop waiting as soon as the deadline passes");
  ctx.Note(
      absl::StrCat("grpc-timeout ", timeout.value, ": DEADLINE_EXCEEDED ", Millis(late), " late"));
}

void LongTimeoutIsUnderstood(CheckContext& ctx, const std::string& value) {
  Wire w(ctx);
  const std::vector<v1::User> users = MakeUsers(ctx, 2);
  v1::ListUsersRequest request;
  request.set_after_id(users.front().id() - 1);
  request.set_page_size(2);
  request.set_interval_ms(100);
  ctx.Sent(absl::StrCat("ListUsers <- ", Describe(request), " with grpc-timeout: ", value));
  Wire::Call call = w.Exchange(w.Request("ListUsers", {{"grpc-timeout", value}}),
                               {wire::LengthPrefixed(request.SerializeAsString())});
  w.ExpectStatus(call, kOk, absl::StrCat("a 100 ms ListUsers with grpc-timeout ", value),
                 "H is hours and M minutes (upper case); m is milliseconds");
  auto messages = wire::SplitMessages(call.r().data);
  ctx.Expect(messages.ok() && messages->size() == 2, "the list did not carry both users",
             "2 User messages");
}

void MalformedTimeoutDoesNotCrash(CheckContext& ctx) {
  Wire w(ctx);
  H2Client& c = w.Connect();
  std::string answers;
  const std::int32_t id = UnusedId(ctx);
  for (const char* value : {"1x", "abc", "123456789S", "-5m", "S", ""}) {
    ctx.Sent(absl::StrCat("GetUser <- id ", id, " with grpc-timeout: \"", value, "\""));
    if (c.peer_closed()) break;
    Wire::Call call = w.ExchangeOn(c, w.Request("GetUser", {{"grpc-timeout", value}}),
                                   {wire::LengthPrefixed(GetUserMessage(id))}, w.Deadline());
    const std::optional<int> status = GrpcStatus(call.r());
    absl::StrAppend(&answers, answers.empty() ? "" : ", ", "\"", value, "\": ",
                    status                ? absl::StrCat("grpc-status ", *status)
                    : call.r().reset_code ? "RST_STREAM"
                                          : "no status");
  }
  ctx.Note(answers);
  // What matters: the server is still there and answers a normal call.
  ctx.Sent(absl::StrCat("GetUser <- id ", id, " on a new connection"));
  Wire::Call call = w.Exchange(w.Request("GetUser"), {wire::LengthPrefixed(GetUserMessage(id))});
  w.ExpectStatus(call, kNotFound, "a normal GetUser after malformed grpc-timeout values",
                 "treat a malformed grpc-timeout as a bad request (or ignore it); never crash");
}

// W7: the request's headers.
void NonGrpcContentTypeIs415(CheckContext& ctx) {
  Wire w(ctx);
  ctx.Sent("GetUser <- with content-type: application/json");
  Wire::Call call = w.Exchange(wire::With(w.Request("GetUser"), "content-type", "application/json"),
                               {wire::LengthPrefixed(GetUserMessage(1))});
  ctx.Expect(call.ended, "the server did not answer", "an HTTP 415 response");
  const std::string status = call.r().InitialHeader(":status").value_or("(none)");
  ctx.Expect(status == "415",
             absl::StrCat("a request with content-type application/json got :status ", status),
             ":status 415 (Unsupported Media Type)",
             "the spec says servers SHOULD answer 415, so that plain HTTP clients do not "
             "take a gRPC error (HTTP 200) for success");
}

void UnknownPathIsUnimplemented(CheckContext& ctx) {
  Wire w(ctx);
  ctx.Sent("/course.v1.UserService/NoSuchMethod <- an empty message");
  Wire::Call call = w.Exchange(w.Request("NoSuchMethod"), {wire::LengthPrefixed("")});
  const std::string status = call.r().InitialHeader(":status").value_or("(none)");
  w.ExpectStatus(call, kUnimplemented, "a call to an unknown method",
                 "answer :status 200 with grpc-status 12 (UNIMPLEMENTED), not HTTP 404");
  ctx.Expect(status == "200", absl::StrCat(":status is ", status), ":status 200");
}

void MissingTeTrailers(CheckContext& ctx) {
  Wire w(ctx);
  const std::int32_t id = UnusedId(ctx);
  ctx.Sent(absl::StrCat("GetUser <- id ", id, " without the te: trailers header"));
  Wire::Call call = w.Exchange(wire::Without(w.Request("GetUser"), "te"),
                               {wire::LengthPrefixed(GetUserMessage(id))});
  const std::optional<int> status = GrpcStatus(call.r());
  ctx.Expect(call.ended && status.has_value(), "a request without te: trailers got no gRPC answer",
             "either the call's normal answer (NOT_FOUND) or a gRPC error",
             "implementations differ here; a clear gRPC status is what clients need");
  ctx.Note(*status == kNotFound
               ? "without te: trailers the call is served normally (NOT_FOUND)"
               : absl::StrCat("without te: trailers the call is rejected with grpc-status ",
                              *status, " \"",
                              wire::Value(call.r().header_blocks.back(), "grpc-message"), "\""));
}

// W8: compression and size.
// compression.md's test case: the compressed flag without a grpc-encoding
// other than identity "MUST fail with INTERNAL". gRPC C++ 1.51 reads the
// message as uncompressed instead (and answers OK), so that the reference
// would fail a MUST: graded SHOULD, a known difference of grpc-cpp.
void CompressedWithoutEncodingIsInternal(CheckContext& ctx) {
  Wire w(ctx);
  ctx.Sent("GetUser <- a message with the compressed flag set and no grpc-encoding header");
  Wire::Call call = w.Exchange(w.Request("GetUser"),
                               {wire::LengthPrefixed(GetUserMessage(1), /*compressed=*/true)});
  w.ExpectStatus(call, kInternal, "a compressed message without grpc-encoding",
                 "the compressed flag without an algorithm is a protocol error: INTERNAL "
                 "(known difference: gRPC C++ 1.51 reads the message as uncompressed)");
}

// A message compressed with an algorithm the server cannot know. Fails
// unless the call ends with a gRPC error (any code but OK).
Wire::Call UnknownEncoding(Wire& w) {
  CheckContext& ctx = w.ctx();
  ctx.Sent("GetUser <- grpc-encoding: x-course-unknown, a message with the compressed flag");
  Wire::Call call = w.Exchange(w.Request("GetUser", {{"grpc-encoding", "x-course-unknown"}}),
                               {wire::LengthPrefixed("\x01\x02\x03", /*compressed=*/true)});
  const std::optional<int> status = GrpcStatus(call.r());
  ctx.Expect(call.ended && status.has_value(),
             "the call with an unknown grpc-encoding did not end with a grpc-status",
             "an error status in trailers (UNIMPLEMENTED)");
  ctx.Expect(*status != kOk, "a message in an unknown encoding was accepted (grpc-status 0)",
             "UNIMPLEMENTED: the server cannot decompress it",
             "check grpc-encoding against the algorithms you support before reading");
  return call;
}

void UnknownEncodingIsRejected(CheckContext& ctx) {
  Wire w(ctx);
  UnknownEncoding(w);
}

// compression.md: "WILL result in an UNIMPLEMENTED error status" (its test
// case says MUST). grpcio (Python, 1.51) answers INTERNAL "Exception
// deserializing request!" instead: SHOULD, a known difference.
void UnknownEncodingIsUnimplemented(CheckContext& ctx) {
  Wire w(ctx);
  Wire::Call call = UnknownEncoding(w);
  w.ExpectStatus(call, kUnimplemented, "a message compressed with an unknown algorithm",
                 "answer UNIMPLEMENTED (known difference: grpcio for Python answers INTERNAL)");
}

// compression.md: the server "will then include in its response a
// grpc-accept-encoding header" (no RFC 2119 keyword; its test case only says
// the header MUST NOT name the rejected encoding). gRPC C++ 1.51 answers
// Trailers-Only without the header: SHOULD.
void UnknownEncodingListsAccepted(CheckContext& ctx) {
  Wire w(ctx);
  Wire::Call call = UnknownEncoding(w);
  const std::vector<std::string> accepted = call.r().AllValues("grpc-accept-encoding");
  ctx.Expect(!accepted.empty(), "the UNIMPLEMENTED answer has no grpc-accept-encoding header",
             "grpc-accept-encoding naming the algorithms the server accepts",
             "known difference: gRPC C++ 1.51 leaves it out of a Trailers-Only answer");
  ctx.Expect(!absl::StrContains(accepted.front(), "x-course-unknown"),
             "grpc-accept-encoding names the encoding it just rejected",
             "the algorithms the server accepts, without x-course-unknown");
}

void OversizedMessageIsResourceExhausted(CheckContext& ctx) {
  Wire w(ctx);
  // GetUserRequest{id: 1} plus an unknown field 15 that makes it 4 MiB + 1 KiB.
  const std::size_t filler = (4u << 20) + 1024;
  std::string message = GetUserMessage(1) + "\x7a";
  for (std::size_t n = filler;; n >>= 7) {
    if (n < 0x80) {
      message += static_cast<char>(n);
      break;
    }
    message += static_cast<char>((n & 0x7f) | 0x80);
  }
  message += std::string(filler, 'x');
  ctx.Sent(absl::StrCat("GetUser <- a message of ", message.size(), " bytes"));
  Wire::Call call = w.Exchange(w.Request("GetUser"), {wire::LengthPrefixed(message)});
  w.ExpectStatus(call, kResourceExhausted, "a request message over 4 MiB",
                 "S3: a request over 4 MiB is RESOURCE_EXHAUSTED");
}

// W9: the connection.
void PingIsAnswered(CheckContext& ctx) {
  Wire w(ctx);
  H2Client& c = w.Connect();
  const std::string opaque = "wire\x01\x02\x03\x04";
  ctx.Sent("PING <- 77 69 72 65 01 02 03 04");
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
  ctx.Expect(acked,
             c.ping_acks().empty() ? "no PING ACK came back" : "the PING ACK carried other bytes",
             "PING with ACK and the same 8 bytes",
             "RFC 9113 6.7: a PING must be answered with the same payload");
}

void UnknownFrameTypeIsIgnored(CheckContext& ctx) {
  Wire w(ctx);
  H2Client& c = w.Connect();
  // Type 0xbb, no flags, stream 0, 4 bytes of payload.
  const std::string frame(
      "\x00\x00\x04\xbb\x00\x00\x00\x00\x00"
      "abcd",
      13);
  ctx.Sent("a frame of type 0xbb on stream 0, then GetUser on the same connection");
  absl::Status sent = c.SendRaw(frame, w.Deadline());
  ctx.Expect(sent.ok(), absl::StrCat("could not send the frame: ", sent.message()),
             "the connection open");
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
  ctx.Sent("PRI * HTTP/2.0\\r\\n\\r\\nXX\\r\\n\\r\\n (the magic with SM replaced)");
  (void)c.SendRaw(std::string("PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"), w.Deadline());
  const bool closed = c.WaitForClose(w.Deadline());
  w.Record();
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

void Add(std::vector<CheckDef>& checks, const char* id, const char* rule, const char* title,
         std::function<void(CheckContext&)> body, Level level = Level::kMust) {
  checks.push_back({id, rule, title, std::move(body), level});
}

}  // namespace

void AddWireChecks(std::vector<CheckDef>& checks) {
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
  Add(checks, "wire.grpc-timeout.hours-understood", "W6",
      "grpc-timeout 1H (hours) is read as a long deadline",
      [](CheckContext& ctx) { LongTimeoutIsUnderstood(ctx, "1H"); });
  Add(checks, "wire.grpc-timeout.minutes-understood", "W6",
      "grpc-timeout 1M (minutes) is read as a long deadline",
      [](CheckContext& ctx) { LongTimeoutIsUnderstood(ctx, "1M"); });
  Add(checks, "wire.grpc-timeout.seconds-enforced", "W6",
      "grpc-timeout 1S: the server ends the call with DEADLINE_EXCEEDED after 1 s",
      [](CheckContext& ctx) {
        TimeoutIsEnforced(ctx, {"1S", std::chrono::seconds(1)});
      });
  Add(checks, "wire.grpc-timeout.milliseconds-enforced", "W6",
      "grpc-timeout 700m: DEADLINE_EXCEEDED from the server after 700 ms", [](CheckContext& ctx) {
        TimeoutIsEnforced(ctx, {"700m", std::chrono::milliseconds(700)});
      });
  Add(checks, "wire.grpc-timeout.microseconds-enforced", "W6",
      "grpc-timeout 600000u: DEADLINE_EXCEEDED from the server after 600 ms",
      [](CheckContext& ctx) {
        TimeoutIsEnforced(ctx, {"600000u", std::chrono::milliseconds(600)});
      });
  Add(checks, "wire.grpc-timeout.nanoseconds-enforced", "W6",
      "grpc-timeout 90000000n (8 digits at most): DEADLINE_EXCEEDED after 90 ms",
      [](CheckContext& ctx) {
        TimeoutIsEnforced(ctx, {"90000000n", std::chrono::milliseconds(90)});
      });
  Add(checks, "wire.grpc-timeout.malformed-does-not-crash", "W6",
      "malformed grpc-timeout values do not bring the server down", MalformedTimeoutDoesNotCrash);
  Add(checks, "wire.request.non-grpc-content-type-is-415", "W7",
      "a request with a non-gRPC content-type gets HTTP 415", NonGrpcContentTypeIs415,
      Level::kShould);
  Add(checks, "wire.request.unknown-path-is-unimplemented", "W7",
      "an unknown path gets :status 200 and UNIMPLEMENTED in trailers", UnknownPathIsUnimplemented);
  Add(checks, "wire.request.missing-te-trailers", "W7",
      "a request without te: trailers (implementations differ: served or rejected)",
      MissingTeTrailers, Level::kInfo);
  Add(checks, "wire.compression.flag-without-encoding-is-internal", "W8",
      "a compressed flag without grpc-encoding is INTERNAL", CompressedWithoutEncodingIsInternal,
      Level::kShould);
  Add(checks, "wire.compression.unknown-encoding-is-rejected", "W8",
      "a message in an unknown grpc-encoding ends the call with an error",
      UnknownEncodingIsRejected);
  Add(checks, "wire.compression.unknown-encoding-is-unimplemented", "W8",
      "a message in an unknown grpc-encoding is UNIMPLEMENTED", UnknownEncodingIsUnimplemented,
      Level::kShould);
  Add(checks, "wire.compression.unknown-encoding-lists-accepted", "W8",
      "the UNIMPLEMENTED answer to an unknown grpc-encoding carries grpc-accept-encoding",
      UnknownEncodingListsAccepted, Level::kShould);
  Add(checks, "wire.size.oversized-message-is-resource-exhausted", "W8",
      "a message over 4 MiB is RESOURCE_EXHAUSTED", OversizedMessageIsResourceExhausted);
  Add(checks, "wire.connection.ping-answered", "W9",
      "a PING is answered with a PING ACK carrying the same payload", PingIsAnswered);
  Add(checks, "wire.connection.unknown-frame-type-ignored", "W9",
      "a frame of unknown type is ignored and the connection goes on", UnknownFrameTypeIsIgnored);
  Add(checks, "wire.connection.bad-preface-closes", "W9",
      "a bad connection preface closes the connection", BadPrefaceClosesConnection);
  Add(checks, "wire.connection.http1-request-gets-no-grpc-answer", "W9",
      "an HTTP/1.1 request does not get a gRPC answer", Http1RequestGetsNoGrpcAnswer);
}

}  // namespace course::harness
