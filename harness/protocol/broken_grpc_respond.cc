// What course-broken-grpc-server answers (see broken_grpc_server.cc).
#include <sys/socket.h>

#include <cerrno>

#include "protocol/broken_grpc_connection.h"

namespace course::broken {
namespace {

constexpr std::size_t kLimit = 4u << 20;

std::string Prefixed(const std::string& message, std::uint32_t extra = 0) {
  const auto length = static_cast<std::uint32_t>(message.size()) + extra;
  std::string out(5, '\0');
  for (int i = 0; i < 4; ++i) out[1 + i] = static_cast<char>(length >> (24 - 8 * i));
  return out + message;
}

std::string Header(const Headers& headers, const std::string& name) {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return "";
}

}  // namespace

void Connection::Respond(std::int32_t id) {
  Stream& s = streams_[id];
  const std::string path = Header(s.request, ":path");
  if (Header(s.request, "content-type").rfind("application/grpc", 0) != 0) {
    const std::string status = "415";
    nghttp2_nv nv = {reinterpret_cast<uint8_t*>(const_cast<char*>(":status")),
                     reinterpret_cast<uint8_t*>(const_cast<char*>(status.data())), 7, status.size(),
                     NGHTTP2_NV_FLAG_NONE};
    nghttp2_submit_response(session_, id, &nv, 1, nullptr);
    return;
  }
  if (mode_ == "needs-api-key" && Header(s.request, "x-api-key") != "secret") {
    return TrailersOnly(id, 16, "x-api-key: secret is required");
  }
  if (const std::string timeout = Header(s.request, "grpc-timeout");
      !timeout.empty() && mode_ != "timeout-ignored") {
    s.deadline = ParseTimeout(timeout, mode_);
  }
  if (s.body.size() > kLimit + 5) return TrailersOnly(id, 8, "message larger than 4 MiB");
  // One message: a 5-byte prefix and exactly its length.
  const auto* p = reinterpret_cast<const unsigned char*>(s.body.data());
  const std::size_t length =
      s.body.size() < 5 ? 0 : (std::size_t{p[1]} << 24) | (p[2] << 16) | (p[3] << 8) | p[4];
  if ((s.body.size() < 5 || s.body.size() - 5 != length) && mode_ != "truncated-ok") {
    return TrailersOnly(id, 13, "the request is not one length-prefixed message");
  }
  const std::string encoding = Header(s.request, "grpc-encoding");
  if (encoding == "identity" && mode_ == "identity-rejected") {
    return TrailersOnly(id, 12, "unsupported grpc-encoding identity");
  }
  if (!encoding.empty() && encoding != "identity" && mode_ != "unknown-encoding-ok") {
    return TrailersOnly(id, 12, "unsupported grpc-encoding " + encoding);
  }
  if (s.body.size() >= 5 && p[0] == 1 && encoding.empty()) {
    return TrailersOnly(id, 13, "a compressed message without grpc-encoding");
  }
  const std::string message = s.body.size() < 5 ? "" : s.body.substr(5);
  const std::string service = path.substr(0, path.rfind('/'));
  if (service != "/grpc.health.v1.Health") {
    return TrailersOnly(id, 12, "unknown method " + path,
                        mode_ == "unknown-method-404" ? "404" : "200");
  }
  if (s.deadline && *s.deadline <= Clock::now()) return TrailersOnly(id, 4, "deadline exceeded");
  RespondHealth(id, s, path.substr(path.rfind('/') + 1), message);
}

void Connection::RespondHealth(std::int32_t id, Stream& s, const std::string& method,
                               const std::string& message) {
  const std::string name = HealthServiceName(message);
  const bool known = name.empty() || mode_ == "unknown-health-serving";
  Headers headers = {{":status", "200"}, {"content-type", "application/grpc"}};
  if (method == "Watch") {
    s.hold_open = mode_ != "watch-ends";
    return Answer(id, headers, Prefixed(known ? "\x08\x01" : "\x08\x03"), {{"grpc-status", "0"}});
  }
  if (method != "Check") return TrailersOnly(id, 12, "unknown method " + method);
  if (!known) {
    return TrailersOnly(
        id, 5, "unknown service " + (mode_ == "raw-utf8-message" ? name : PercentEncode(name)));
  }
  Headers trailers = {{"grpc-status", "0"}};
  std::string response = Prefixed("\x08\x01");
  if (mode_ == "status-in-headers") headers.emplace_back("grpc-status", "0");
  if (mode_ == "data-ends-stream") {
    headers.emplace_back("grpc-status", "0");
    s.end_with_data = true;
  }
  if (mode_ == "lying-prefix") response = Prefixed("\x08\x01", 10);
  if (mode_ == "wrong-response-type") response = Prefixed("\xff\xff\xff");
  Answer(id, headers, response, trailers);
}

std::optional<Clock::time_point> Connection::Tick() {
  std::optional<Clock::time_point> next;
  for (auto& [id, s] : streams_) {
    if (!s.hold_open || !s.deadline) continue;
    if (*s.deadline <= Clock::now()) {
      s.hold_open = false;
      s.trailers = {{"grpc-status", "4"}, {"grpc-message", "deadline exceeded"}};
      nghttp2_session_resume_data(session_, id);
    } else if (!next || *s.deadline < *next) {
      next = s.deadline;
    }
  }
  return next;
}

void Connection::StartShutdown() {
  if (mode_ == "drops-calls-on-stop") {
    nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR);
  } else {
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE,
                          nghttp2_session_get_last_proc_stream_id(session_), NGHTTP2_NO_ERROR,
                          nullptr, 0);
  }
  Pump();
}

bool Connection::SawUnknownFrameType(const std::string& bytes) {
  for (char byte : bytes) {
    if (skip_ > 0) {
      --skip_;
      continue;
    }
    frame_header_ += byte;
    if (frame_header_.size() < 9) continue;
    const auto* h = reinterpret_cast<const unsigned char*>(frame_header_.data());
    skip_ = (std::size_t{h[0]} << 16) | (h[1] << 8) | h[2];
    const bool unknown = h[3] > NGHTTP2_CONTINUATION;
    frame_header_.clear();
    if (unknown) return true;
  }
  return false;
}

bool Connection::OnReadable() {
  char buffer[65536];
  const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  const std::string bytes(buffer, static_cast<std::size_t>(n));
  if (mode_ == "answers-http1" && bytes.rfind("POST ", 0) == 0) {
    out_ +=
        "HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\ngrpc-status: 0\r\n"
        "content-length: 0\r\n\r\n";
    Pump();
    return true;
  }
  // unknown-frame-goaway: nghttp2 drops frames of unknown type before any
  // callback, so follow the frame headers in the bytes themselves.
  if (mode_ == "unknown-frame-goaway" && SawUnknownFrameType(bytes)) {
    nghttp2_session_terminate_session(session_, NGHTTP2_PROTOCOL_ERROR);
    return Pump();
  }
  const ssize_t rc = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buffer),
                                              static_cast<std::size_t>(n));
  // keeps-bad-connections: a broken preface leaves the connection open.
  if (rc < 0) return mode_ == "keeps-bad-connections";
  return Pump();
}

bool Connection::Pump() {
  return h2fixture::Flush(session_, fd_, out_) &&
         (nghttp2_session_want_read(session_) || nghttp2_session_want_write(session_) ||
          !out_.empty());
}

}  // namespace course::broken
