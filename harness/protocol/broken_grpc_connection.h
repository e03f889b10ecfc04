// One HTTP/2 connection of course-broken-grpc-server (broken_grpc_server.cc):
// grpc.health.v1.Health on nghttp2's server session, wrong in one way per
// mode, so that each check of the protocol suite can be seen failing.
#ifndef COURSE_HARNESS_PROTOCOL_BROKEN_GRPC_CONNECTION_H_
#define COURSE_HARNESS_PROTOCOL_BROKEN_GRPC_CONNECTION_H_

#include <nghttp2/nghttp2.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "selftest/h2_fixture.h"

namespace course::broken {

using Clock = std::chrono::steady_clock;
using Headers = h2fixture::Headers;

// The response side (h2fixture::Body): hold_open for a Watch that waits for
// its deadline; end_with_data for a stream ended by DATA, with no trailers.
struct Stream : h2fixture::Body {
  Headers request;
  std::string body;
  std::optional<Clock::time_point> deadline;
  bool answered = false;
};

// grpc-timeout as the mode reads it (see broken_grpc_server.cc); nullopt
// for a malformed value.
std::optional<Clock::time_point> ParseTimeout(const std::string& value, const std::string& mode);
// The `service` field of a HealthCheckRequest.
std::string HealthServiceName(const std::string& message);
std::string PercentEncode(const std::string& text);

class Connection {
 public:
  Connection(int fd, std::string mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool WantsWrite() const { return !out_.empty(); }
  // False when the connection is done.
  bool OnReadable();
  bool Pump();
  // Ends Watch streams whose deadline passed; the next deadline, if any.
  std::optional<Clock::time_point> Tick();
  // A graceful stop: GOAWAY, then calls in flight finish.
  void StartShutdown();
  bool Idle() const { return streams_.empty(); }

 private:
  void Respond(std::int32_t id);
  void Answer(std::int32_t id, Headers headers, std::string message, Headers trailers);
  void TrailersOnly(std::int32_t id, int status, const std::string& message,
                    const std::string& http_status = "200");
  void RespondHealth(std::int32_t id, Stream& s, const std::string& method,
                     const std::string& message);

  // Follows the frame headers of the received bytes (after the preface).
  bool SawUnknownFrameType(const std::string& bytes);

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame*, void*);
  static int OnHeader(nghttp2_session*, const nghttp2_frame*, const uint8_t*, size_t,
                      const uint8_t*, size_t, uint8_t, void*);
  static int OnData(nghttp2_session*, uint8_t, int32_t, const uint8_t*, size_t, void*);
  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame*, void*);
  static int OnClose(nghttp2_session*, int32_t, uint32_t, void*);
  static ssize_t Read(nghttp2_session*, int32_t, uint8_t*, size_t, uint32_t*, nghttp2_data_source*,
                      void*);

  int fd_;
  std::string mode_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Stream> streams_;
  std::set<std::int32_t> leaked_;  // rst-leaks: reset streams it never forgets
  std::string out_;
  std::size_t skip_ = 24;  // bytes before the next frame header: the preface first
  std::string frame_header_;
};

}  // namespace course::broken

#endif  // COURSE_HARNESS_PROTOCOL_BROKEN_GRPC_CONNECTION_H_
