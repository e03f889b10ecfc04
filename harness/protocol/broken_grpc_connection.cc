#include "protocol/broken_grpc_connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace course::broken {
namespace {

constexpr std::size_t kLimit = 4u << 20;  // gRPC's default receive limit

}  // namespace

std::string PercentEncode(const std::string& text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (c < 0x20 || c > 0x7e || c == '%') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// grpc-timeout: 1-8 digits and a unit. "timeout-units-wrong" reads every unit
// as milliseconds; "timeout-overflow" computes nanoseconds in 32 bits.
std::optional<Clock::time_point> ParseTimeout(const std::string& value, const std::string& mode) {
  if (value.size() < 2 || value.size() > 9) return std::nullopt;
  const std::string digits = value.substr(0, value.size() - 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const long long n = std::stoll(digits);
  std::chrono::nanoseconds unit;
  switch (value.back()) {
    case 'H':
      unit = std::chrono::hours(1);
      break;
    case 'M':
      unit = std::chrono::minutes(1);
      break;
    case 'S':
      unit = std::chrono::seconds(1);
      break;
    case 'm':
      unit = std::chrono::milliseconds(1);
      break;
    case 'u':
      unit = std::chrono::microseconds(1);
      break;
    case 'n':
      unit = std::chrono::nanoseconds(1);
      break;
    default:
      return std::nullopt;
  }
  if (mode == "timeout-units-wrong") unit = std::chrono::milliseconds(1);
  if (mode == "timeout-overflow") {
    const auto wrapped = static_cast<std::int32_t>(static_cast<std::uint32_t>(n * unit.count()));
    return Clock::now() + std::chrono::nanoseconds(wrapped);
  }
  // (99999999H is about 11,000 years: cap it where the clock cannot overflow.)
  const std::chrono::nanoseconds cap = std::chrono::hours(24 * 365 * 100);
  if (n > cap / unit) return Clock::now() + cap;
  return Clock::now() + n * unit;
}

// The `service` field (1) of a HealthCheckRequest.
std::string HealthServiceName(const std::string& message) {
  if (message.size() < 2 || message[0] != '\x0a') return "";
  std::size_t at = 1, length = 0;
  for (int shift = 0; at < message.size() && shift < 35; shift += 7) {
    const auto byte = static_cast<unsigned char>(message[at++]);
    length |= std::size_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) break;
  }
  return message.substr(at, length);
}

Connection::Connection(int fd, std::string mode) : fd_(fd), mode_(std::move(mode)) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  if (mode_ == "no-ping-ack") nghttp2_option_set_no_auto_ping_ack(option, 1);
  nghttp2_session_server_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, mode_ == "rst-leaks" ? 16u : 100u}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
}

Connection::~Connection() {
  nghttp2_session_del(session_);
  close(fd_);
}

int Connection::OnBeginHeaders(nghttp2_session* session, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Connection*>(user);
  const std::int32_t id = frame->hd.stream_id;
  const std::size_t open = self->streams_.size() + self->leaked_.size();
  if ((self->mode_ == "refuses-streams" && open >= 8) ||
      (self->mode_ == "rst-leaks" && open >= 16)) {
    nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, id, NGHTTP2_REFUSED_STREAM);
    return 0;
  }
  self->streams_[id] = Stream{};
  return 0;
}

int Connection::OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                         size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                         void* user) {
  auto* self = static_cast<Connection*>(user);
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it != self->streams_.end() && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
    it->second.request.emplace_back(std::string(reinterpret_cast<const char*>(name), namelen),
                                    std::string(reinterpret_cast<const char*>(value), valuelen));
  }
  return 0;
}

int Connection::OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                       void* user) {
  auto* self = static_cast<Connection*>(user);
  auto it = self->streams_.find(id);
  if (it != self->streams_.end() && it->second.body.size() <= kLimit + 64) {
    it->second.body.append(reinterpret_cast<const char*>(data), len);
  }
  return 0;
}

int Connection::OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
  auto* self = static_cast<Connection*>(user);
  auto it = self->streams_.find(frame->hd.stream_id);
  if (it == self->streams_.end()) return 0;
  Stream& s = it->second;
  if (frame->hd.type == NGHTTP2_DATA) {
    // split-frames-misread: a message must arrive in one DATA frame;
    // empty-data-refused: an empty DATA frame is an error.
    if (self->mode_ == "split-frames-misread" && frame->hd.length > 0 && frame->hd.length < 5) {
      s.answered = true;
      self->TrailersOnly(frame->hd.stream_id, 13, "could not read the message prefix");
    }
    if (self->mode_ == "empty-data-refused" && frame->hd.length == 0 && !s.answered) {
      s.answered = true;
      self->TrailersOnly(frame->hd.stream_id, 13, "an empty DATA frame");
    }
  }
  if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
      (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && !s.answered) {
    s.answered = true;
    self->Respond(frame->hd.stream_id);
  }
  return 0;
}

int Connection::OnClose(nghttp2_session*, int32_t id, uint32_t code, void* user) {
  auto* self = static_cast<Connection*>(user);
  if (self->mode_ == "rst-leaks" && code == NGHTTP2_CANCEL) self->leaked_.insert(id);
  self->streams_.erase(id);
  return 0;
}

ssize_t Connection::Read(nghttp2_session* session, int32_t id, uint8_t* buf, size_t length,
                         uint32_t* flags, nghttp2_data_source*, void* user) {
  auto* self = static_cast<Connection*>(user);
  auto it = self->streams_.find(id);
  h2fixture::Body* body = it == self->streams_.end() ? nullptr : &it->second;
  return h2fixture::ReadBody(session, id, body, buf, length, flags);
}

void Connection::Answer(std::int32_t id, Headers headers, std::string message, Headers trailers) {
  Stream& s = streams_[id];
  s.response = std::move(message);
  s.trailers = std::move(trailers);
  std::vector<nghttp2_nv> nva;
  for (auto& [name, value] : headers) {
    nva.push_back({reinterpret_cast<uint8_t*>(name.data()),
                   reinterpret_cast<uint8_t*>(value.data()), name.size(), value.size(),
                   NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_data_provider provider{};
  provider.read_callback = Read;
  nghttp2_submit_response(session_, id, nva.data(), nva.size(), &provider);
}

void Connection::TrailersOnly(std::int32_t id, int status, const std::string& message,
                              const std::string& http_status) {
  Headers headers = {{":status", http_status},
                     {"content-type", "application/grpc"},
                     {"grpc-status", std::to_string(status)}};
  if (!message.empty()) headers.emplace_back("grpc-message", message);
  if (status == 12 && mode_ != "unknown-encoding-ok") {
    headers.emplace_back("grpc-accept-encoding", "identity");
  }
  std::vector<nghttp2_nv> nva;
  for (auto& [name, value] : headers) {
    nva.push_back({reinterpret_cast<uint8_t*>(name.data()),
                   reinterpret_cast<uint8_t*>(value.data()), name.size(), value.size(),
                   NGHTTP2_NV_FLAG_NONE});
  }
  nghttp2_submit_response(session_, id, nva.data(), nva.size(), nullptr);
}

}  // namespace course::broken
