// What the HTTP/2 wire checks (wire_checks.cc, wire_request_checks.cc,
// wire_connection_checks.cc) share: a check's view of the wire, the status
// codes they expect, and the requests they send.
#ifndef COURSE_HARNESS_WIRE_WIRE_CHECK_KIT_H_
#define COURSE_HARNESS_WIRE_WIRE_CHECK_KIT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/check.h"
#include "wire/grpc_wire.h"
#include "wire/h2_client.h"

namespace course::harness::wire_suite {

using wire::Clock;
using wire::H2Client;
using wire::Headers;
using wire::StreamResult;

inline constexpr int kOk = 0, kDeadlineExceeded = 4, kNotFound = 5, kAlreadyExists = 6,
                     kResourceExhausted = 8, kInvalidArgument = 3, kUnimplemented = 12,
                     kInternal = 13;

// A duration for people: "3.2 ms", "700 ms".
std::string Millis(Clock::duration d);

// The gRPC status a response ended with: grpc-status of the block that
// ended the stream.
std::optional<int> GrpcStatus(const StreamResult& r);

// One line about a response, for the "got" part of a failure.
std::string Summary(const StreamResult& r, bool ended);

// One check's view of the wire: the connections it opened, whose frames
// become the --trace of a failure.
class Wire {
 public:
  // The course's wire checks speak plaintext only (`tls` false: a TLS
  // target skips them); the protocol suite's follow the target onto TLS.
  explicit Wire(CheckContext& ctx, bool tls = false);

  CheckContext& ctx() { return ctx_; }
  const std::string& address() const { return address_; }
  Clock::time_point Deadline() const { return Clock::now() + ctx_.rpc_deadline(); }
  Headers Request(const std::string& method, const Headers& extra = {}) const {
    Headers headers = wire::RequestHeaders(authority_, method, extra);
    return tls_.enabled ? wire::With(headers, ":scheme", "https") : headers;
  }

  // A new connection; with `preface`, the client preface is sent and the
  // server's SETTINGS awaited.
  H2Client& Connect(bool preface = true);

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
                  Clock::time_point deadline);

  // Fails unless the stream ended in time with grpc-status `code`.
  int ExpectStatus(const Call& call, int code, const std::string& what,
                   const std::string& hint = "");

  // Fails unless the response stream ended within the RPC deadline.
  void ExpectEnded(const Call& call, const std::string& expected, const std::string& hint = "");

  // Hands the frames of every connection so far to the check, as its trace.
  void Record();

 private:
  CheckContext& ctx_;
  std::string address_;
  std::string authority_;  // the address, or "localhost" for a unix: socket
  wire::TlsSettings tls_;
  std::vector<std::unique_ptr<H2Client>> clients_;
};

// A serialized GetUserRequest{id}.
std::string GetUserMessage(std::int32_t id);

// An id no server of this course hands out (see unary.cc).
std::int32_t UnusedId(CheckContext& ctx);

// The authorization header the target needs, if any.
Headers Authorized(CheckContext& ctx);

// A successful GetUser of a user this check created, over the raw client.
Wire::Call GetCreatedUser(Wire& w, std::int32_t* id);

// GetUser{id} on a fresh connection, with `extra` request headers.
Wire::Call GetUser(Wire& w, std::int32_t id, const Headers& extra = {});

// A ListUsers request over `count` users made for it, one every
// `interval_ms`.
v1::ListUsersRequest SlowListOfNewUsers(CheckContext& ctx, int count, int interval_ms);

// Connection steps (RFC 9113) that the course's W9 checks and the protocol
// suite both take, each on a connection of its own from `w`.
// A PING with `opaque` (8 bytes, shown as `hex`); fails unless it comes back
// ACKed with the same bytes.
void ExpectPingEchoed(Wire& w, const std::string& opaque, const std::string& hex,
                      const std::string& cite);
// A frame of unknown type (0xbb) on stream 0 of `c`; `then` is what the check
// does next on the same connection.
void SendUnknownFrame(Wire& w, H2Client& c, const std::string& then);
// The client preface with SM replaced, on a connection opened without one;
// true when the server closed the connection within the deadline.
bool BadPrefaceCloses(Wire& w, H2Client& c);

void Add(std::vector<CheckDef>& checks, const char* id, const char* rule, const char* title,
         std::function<void(CheckContext&)> body, Level level = Level::kMust);

void AddTimeoutChecks(std::vector<CheckDef>& checks);             // W6, wire_request_checks.cc
void AddRequestHeaderChecks(std::vector<CheckDef>& checks);       // W7, wire_request_checks.cc
void AddCompressionAndSizeChecks(std::vector<CheckDef>& checks);  // W8, wire_request_checks.cc
void AddConnectionChecks(std::vector<CheckDef>& checks);          // W9, wire_connection_checks.cc

}  // namespace course::harness::wire_suite

#endif  // COURSE_HARNESS_WIRE_WIRE_CHECK_KIT_H_
