#include "wire/h2_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace course::wire {
namespace {

constexpr char kMagic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
constexpr std::size_t kMagicSize = sizeof kMagic - 1;
constexpr std::size_t kKeepReceived = 1 << 20;  // bytes kept for inspection

int RemainingMs(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 60000));
}

std::string Hex(const std::string& bytes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    absl::StrAppendFormat(&out, "%s%02x", i == 0 ? "" : " ", static_cast<unsigned char>(bytes[i]));
  }
  if (bytes.size() > max) absl::StrAppend(&out, " ... (", bytes.size(), " bytes)");
  return out;
}

std::string SettingName(std::int32_t id) {
  switch (id) {
    case NGHTTP2_SETTINGS_HEADER_TABLE_SIZE:
      return "HEADER_TABLE_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_PUSH:
      return "ENABLE_PUSH";
    case NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS:
      return "MAX_CONCURRENT_STREAMS";
    case NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
      return "INITIAL_WINDOW_SIZE";
    case NGHTTP2_SETTINGS_MAX_FRAME_SIZE:
      return "MAX_FRAME_SIZE";
    case NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE:
      return "MAX_HEADER_LIST_SIZE";
    default:
      return absl::StrFormat("0x%x", id);
  }
}

// SETTINGS values, error codes and increments: the part of a control frame
// worth reading in a log.
std::string ControlNote(const nghttp2_frame* frame) {
  switch (frame->hd.type) {
    case NGHTTP2_SETTINGS: {
      std::string note;
      for (std::size_t i = 0; i < frame->settings.niv; ++i) {
        absl::StrAppend(&note, i == 0 ? "" : " ", SettingName(frame->settings.iv[i].settings_id),
                        "=", frame->settings.iv[i].value);
      }
      return note;
    }
    case NGHTTP2_RST_STREAM:
      return absl::StrCat("error ", nghttp2_http2_strerror(frame->rst_stream.error_code));
    case NGHTTP2_GOAWAY:
      return absl::StrCat("last stream ", frame->goaway.last_stream_id, ", error ",
                          nghttp2_http2_strerror(frame->goaway.error_code),
                          frame->goaway.opaque_data_len > 0 ? ": " : "",
                          std::string(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                      frame->goaway.opaque_data_len));
    case NGHTTP2_WINDOW_UPDATE:
      return absl::StrCat("increment ", frame->window_update.window_size_increment);
    default:
      return "";
  }
}

}  // namespace

std::string FrameTypeName(int type) {
  switch (type) {
    case kPrefaceType:
      return "PREFACE";
    case NGHTTP2_DATA:
      return "DATA";
    case NGHTTP2_HEADERS:
      return "HEADERS";
    case NGHTTP2_PRIORITY:
      return "PRIORITY";
    case NGHTTP2_RST_STREAM:
      return "RST_STREAM";
    case NGHTTP2_SETTINGS:
      return "SETTINGS";
    case NGHTTP2_PUSH_PROMISE:
      return "PUSH_PROMISE";
    case NGHTTP2_PING:
      return "PING";
    case NGHTTP2_GOAWAY:
      return "GOAWAY";
    case NGHTTP2_WINDOW_UPDATE:
      return "WINDOW_UPDATE";
    case NGHTTP2_CONTINUATION:
      return "CONTINUATION";
    default:
      return absl::StrFormat("UNKNOWN(0x%02x)", type);
  }
}

std::string FrameFlagsText(int type, std::uint8_t flags) {
  std::vector<std::string> names;
  const bool stream_ends = type == NGHTTP2_DATA || type == NGHTTP2_HEADERS;
  const bool acks = type == NGHTTP2_SETTINGS || type == NGHTTP2_PING;
  if (stream_ends && (flags & NGHTTP2_FLAG_END_STREAM)) names.push_back("END_STREAM");
  if (acks && (flags & NGHTTP2_FLAG_ACK)) names.push_back("ACK");
  if ((type == NGHTTP2_HEADERS || type == NGHTTP2_CONTINUATION || type == NGHTTP2_PUSH_PROMISE) &&
      (flags & NGHTTP2_FLAG_END_HEADERS)) {
    names.push_back("END_HEADERS");
  }
  if ((type == NGHTTP2_HEADERS || type == NGHTTP2_DATA) && (flags & NGHTTP2_FLAG_PADDED)) {
    names.push_back("PADDED");
  }
  if (type == NGHTTP2_HEADERS && (flags & NGHTTP2_FLAG_PRIORITY)) names.push_back("PRIORITY");
  std::string text;
  for (const std::string& name : names) absl::StrAppend(&text, text.empty() ? "" : "|", name);
  if (text.empty() && flags != 0) text = absl::StrFormat("0x%02x", flags);
  return text;
}

std::string FormatFrames(const std::vector<Frame>& frames, std::size_t max_data_bytes) {
  std::string out;
  for (const Frame& f : frames) {
    absl::StrAppend(&out, f.direction == Direction::kSent ? "-> " : "<- ", FrameTypeName(f.type));
    if (f.type == kPrefaceType) {
      absl::StrAppend(&out, " (", kMagicSize, " bytes, the client magic)\n");
      continue;
    }
    const std::string flags = FrameFlagsText(f.type, f.flags);
    if (!flags.empty()) absl::StrAppend(&out, " [", flags, "]");
    absl::StrAppend(&out, " stream ", f.stream_id, ", ", f.length, " bytes");
    if (f.raw) absl::StrAppend(&out, " (raw)");
    if (!f.note.empty()) absl::StrAppend(&out, ": ", f.note);
    absl::StrAppend(&out, "\n");
    for (const Header& header : f.headers) {
      absl::StrAppend(&out, "     ", header.first, ": ", header.second, "\n");
    }
    if (f.type == NGHTTP2_DATA && !f.data.empty()) {
      absl::StrAppend(&out, "     ", Hex(f.data, max_data_bytes));
      if (f.data.size() >= 5) {
        const auto* p = reinterpret_cast<const unsigned char*>(f.data.data());
        const std::uint32_t length =
            (std::uint32_t{p[1]} << 24) | (p[2] << 16) | (p[3] << 8) | p[4];
        absl::StrAppend(&out, "  (if a message starts here: compressed=", p[0], " length=", length,
                        ")");
      }
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

std::vector<Frame> ParseRawFrames(const std::string& bytes, Direction direction) {
  std::vector<Frame> frames;
  std::size_t at = 0;
  if (bytes.compare(0, kMagicSize, kMagic) == 0) {
    Frame preface;
    preface.direction = direction;
    preface.type = kPrefaceType;
    preface.raw = true;
    frames.push_back(preface);
    at = kMagicSize;
  }
  while (at + 9 <= bytes.size()) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    Frame frame;
    frame.direction = direction;
    frame.raw = true;
    frame.length = (std::size_t{p[0]} << 16) | (p[1] << 8) | p[2];
    frame.type = p[3];
    frame.flags = p[4];
    frame.stream_id = static_cast<std::int32_t>(((std::uint32_t{p[5]} & 0x7f) << 24) |
                                                (p[6] << 16) | (p[7] << 8) | p[8]);
    if (at + 9 + frame.length > bytes.size()) break;
    frame.data = bytes.substr(at + 9, frame.length);
    frames.push_back(std::move(frame));
    at += 9 + frames.back().length;
  }
  if (at < bytes.size()) {
    Frame rest;
    rest.direction = direction;
    rest.raw = true;
    rest.type = 0x100;  // not a frame
    rest.note = absl::StrCat("bytes that are no HTTP/2 frame: \"", bytes.substr(at, 40),
                             bytes.size() - at > 40 ? "..." : "", "\"");
    rest.length = bytes.size() - at;
    frames.push_back(std::move(rest));
  }
  return frames;
}

std::optional<std::string> StreamResult::InitialHeader(const std::string& name) const {
  if (header_blocks.empty()) return std::nullopt;
  for (const Header& header : header_blocks.front()) {
    if (header.first == name) return header.second;
  }
  return std::nullopt;
}

const Headers* StreamResult::Trailers() const {
  if (header_blocks.size() < 2 || !block_ends_stream.back()) return nullptr;
  return &header_blocks.back();
}

bool StreamResult::TrailersOnly() const {
  return header_blocks.size() == 1 && block_ends_stream.front() && data_frames == 0;
}

std::vector<std::string> StreamResult::AllValues(const std::string& name) const {
  std::vector<std::string> values;
  for (const Headers& block : header_blocks) {
    for (const Header& header : block) {
      if (header.first == name) values.push_back(header.second);
    }
  }
  return values;
}

// nghttp2's callbacks, as static functions that reach the client through
// user_data.
struct H2Client::Callbacks {
  static H2Client& Self(void* user_data) { return *static_cast<H2Client*>(user_data); }

  static int OnFrameSend(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    H2Client& self = Self(user_data);
    Frame f;
    f.direction = Direction::kSent;
    f.type = frame->hd.type;
    f.flags = frame->hd.flags;
    f.stream_id = frame->hd.stream_id;
    f.length = frame->hd.length;
    f.note = ControlNote(frame);
    if (frame->hd.type == NGHTTP2_HEADERS) {
      for (std::size_t i = 0; i < frame->headers.nvlen; ++i) {
        const nghttp2_nv& nv = frame->headers.nva[i];
        f.headers.emplace_back(std::string(reinterpret_cast<char*>(nv.name), nv.namelen),
                               std::string(reinterpret_cast<char*>(nv.value), nv.valuelen));
      }
    }
    if (frame->hd.type == NGHTTP2_DATA) {
      auto& chunks = self.sent_chunks_[frame->hd.stream_id];
      if (!chunks.empty()) {
        f.data = std::move(chunks.front());
        chunks.erase(chunks.begin());
      }
    }
    if (frame->hd.type == NGHTTP2_PING) {
      f.data.assign(reinterpret_cast<const char*>(frame->ping.opaque_data), 8);
      f.note = Hex(f.data, 8);
    }
    self.frames_.push_back(std::move(f));
    return 0;
  }

  static int OnBeginFrame(nghttp2_session*, const nghttp2_frame_hd* hd, void* user_data) {
    H2Client& self = Self(user_data);
    Frame f;
    f.direction = Direction::kReceived;
    f.type = hd->type;
    f.flags = hd->flags;
    f.stream_id = hd->stream_id;
    f.length = hd->length;
    if (hd->type > NGHTTP2_CONTINUATION) f.note = "a type this client does not know";
    self.frames_.push_back(std::move(f));
    self.recv_index_ = self.frames_.size() - 1;
    if (hd->type == NGHTTP2_HEADERS || hd->type == NGHTTP2_PUSH_PROMISE) {
      self.header_index_ = self.recv_index_;
    }
    return 0;
  }

  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t,
                      void* user_data) {
    H2Client& self = Self(user_data);
    Header header(std::string(reinterpret_cast<const char*>(name), namelen),
                  std::string(reinterpret_cast<const char*>(value), valuelen));
    if (self.header_index_ < self.frames_.size()) {
      self.frames_[self.header_index_].headers.push_back(header);
    }
    if (frame->hd.type == NGHTTP2_HEADERS) {
      self.incoming_headers_[frame->hd.stream_id].push_back(std::move(header));
    }
    return 0;
  }

  static int OnDataChunk(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data,
                         size_t len, void* user_data) {
    H2Client& self = Self(user_data);
    const char* bytes = reinterpret_cast<const char*>(data);
    if (self.recv_index_ < self.frames_.size()) {
      self.frames_[self.recv_index_].data.append(bytes, len);
    }
    self.streams_[stream_id].data.append(bytes, len);
    return 0;
  }

  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
    H2Client& self = Self(user_data);
    Frame* f = self.recv_index_ < self.frames_.size() ? &self.frames_[self.recv_index_] : nullptr;
    if (f != nullptr && f->note.empty()) f->note = ControlNote(frame);
    const std::int32_t id = frame->hd.stream_id;
    const bool ends = (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
    switch (frame->hd.type) {
      case NGHTTP2_HEADERS: {
        StreamResult& stream = self.streams_[id];
        stream.header_blocks.push_back(std::move(self.incoming_headers_[id]));
        self.incoming_headers_.erase(id);
        stream.block_ends_stream.push_back(ends);
        stream.end_stream = stream.end_stream || ends;
        break;
      }
      case NGHTTP2_DATA: {
        StreamResult& stream = self.streams_[id];
        ++stream.data_frames;
        stream.end_stream = stream.end_stream || ends;
        stream.data_ended_stream = stream.data_ended_stream || ends;
        break;
      }
      case NGHTTP2_RST_STREAM:
        self.streams_[id].reset_code = frame->rst_stream.error_code;
        break;
      case NGHTTP2_GOAWAY:
        self.goaway_code_ = frame->goaway.error_code;
        break;
      case NGHTTP2_PING: {
        std::string opaque(reinterpret_cast<const char*>(frame->ping.opaque_data), 8);
        if (f != nullptr) {
          f->data = opaque;
          f->note = Hex(opaque, 8);
        }
        if (frame->hd.flags & NGHTTP2_FLAG_ACK) self.ping_acks_.push_back(opaque);
        break;
      }
      default:
        break;
    }
    return 0;
  }

  static int OnInvalidFrame(nghttp2_session*, const nghttp2_frame*, int lib_error_code,
                            void* user_data) {
    H2Client& self = Self(user_data);
    if (self.recv_index_ < self.frames_.size()) {
      absl::StrAppend(&self.frames_[self.recv_index_].note,
                      " (invalid: ", nghttp2_strerror(lib_error_code), ")");
    }
    return 0;
  }

  static int OnStreamClose(nghttp2_session*, int32_t stream_id, uint32_t, void* user_data) {
    Self(user_data).streams_[stream_id].closed = true;
    return 0;
  }

  static ssize_t ReadData(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length,
                          uint32_t* data_flags, nghttp2_data_source*, void* user_data) {
    H2Client& self = Self(user_data);
    auto it = self.outgoing_.find(stream_id);
    if (it == self.outgoing_.end()) {
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      return 0;
    }
    Outgoing& out = it->second;
    if (out.next >= out.frames.size()) {
      if (!out.end_stream) return NGHTTP2_ERR_DEFERRED;
      *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      self.sent_chunks_[stream_id].emplace_back();
      return 0;
    }
    const std::string& frame = out.frames[out.next];
    const std::size_t n = std::min(length, frame.size() - out.offset);
    std::memcpy(buf, frame.data() + out.offset, n);
    self.sent_chunks_[stream_id].push_back(frame.substr(out.offset, n));
    out.offset += n;
    if (out.offset >= frame.size()) {
      ++out.next;
      out.offset = 0;
    }
    if (out.next >= out.frames.size()) {
      if (out.end_stream) {
        *data_flags |= NGHTTP2_DATA_FLAG_EOF;
      }
    }
    return static_cast<ssize_t>(n);
  }
};

absl::StatusOr<std::unique_ptr<H2Client>> H2Client::Connect(const std::string& address,
                                                            Clock::time_point deadline) {
  const std::size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("not HOST:PORT: ", address));
  }
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int rc = getaddrinfo(host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return absl::UnavailableError(absl::StrCat("cannot resolve ", address, ": ", gai_strerror(rc)));
  }
  std::string error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd =
        socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) continue;
    int rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd pfd{fd, POLLOUT, 0};
      rc = poll(&pfd, 1, RemainingMs(deadline)) == 1 ? 0 : -1;
      int so_error = rc == 0 ? 0 : ETIMEDOUT;
      socklen_t len = sizeof so_error;
      if (rc == 0) getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (so_error != 0) {
        errno = so_error;
        rc = -1;
      }
    }
    if (rc == 0) {
      freeaddrinfo(found);
      const int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return std::unique_ptr<H2Client>(new H2Client(fd, address));
    }
    error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  return absl::UnavailableError(absl::StrCat("cannot connect to ", address, ": ", error));
}

H2Client::H2Client(int fd, std::string address) : fd_(fd), address_(std::move(address)) {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_frame_send_callback(callbacks, Callbacks::OnFrameSend);
  nghttp2_session_callbacks_set_on_begin_frame_callback(callbacks, Callbacks::OnBeginFrame);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, Callbacks::OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, Callbacks::OnDataChunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, Callbacks::OnFrameRecv);
  nghttp2_session_callbacks_set_on_invalid_frame_recv_callback(callbacks,
                                                               Callbacks::OnInvalidFrame);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, Callbacks::OnStreamClose);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  // The checks judge what the server sent; nghttp2 must not reset streams
  // over HTTP messaging rules first (a missing :status, say).
  nghttp2_option_set_no_http_messaging(option, 1);
  nghttp2_session_client_new2(&session_, callbacks, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(callbacks);
}

H2Client::~H2Client() {
  nghttp2_session_del(session_);
  close(fd_);
}

void H2Client::SubmitSettings() {
  const nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 2);
}

std::int32_t H2Client::SubmitRequest(const Headers& headers, std::vector<std::string> data_frames,
                                     bool end_stream) {
  std::vector<nghttp2_nv> nva;
  for (const Header& header : headers) {
    nva.push_back({reinterpret_cast<uint8_t*>(const_cast<char*>(header.first.data())),
                   reinterpret_cast<uint8_t*>(const_cast<char*>(header.second.data())),
                   header.first.size(), header.second.size(), NGHTTP2_NV_FLAG_NONE});
  }
  if (data_frames.empty() && end_stream) {
    return nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), nullptr, nullptr);
  }
  nghttp2_data_provider provider{};
  provider.read_callback = Callbacks::ReadData;
  const std::int32_t id =
      nghttp2_submit_request(session_, nullptr, nva.data(), nva.size(), &provider, nullptr);
  if (id > 0) outgoing_[id] = Outgoing{std::move(data_frames), 0, 0, end_stream};
  return id;
}

void H2Client::SubmitPing(const std::string& opaque8) {
  std::uint8_t opaque[8] = {};
  std::memcpy(opaque, opaque8.data(), std::min<std::size_t>(8, opaque8.size()));
  nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, opaque);
}

bool H2Client::Flush(Clock::time_point deadline) {
  (void)deadline;
  const std::size_t first_new_frame = frames_.size();
  std::string produced;
  while (session_output_) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n <= 0) break;
    produced.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  if (!preface_logged_ && produced.compare(0, kMagicSize, kMagic) == 0) {
    Frame preface;
    preface.type = kPrefaceType;
    frames_.insert(frames_.begin() + static_cast<std::ptrdiff_t>(first_new_frame), preface);
    preface_logged_ = true;
  }
  pending_out_ += produced;
  while (!pending_out_.empty() && !write_failed_) {
    const ssize_t n = send(fd_, pending_out_.data(), pending_out_.size(), MSG_NOSIGNAL);
    if (n > 0) {
      io_.push_back({Direction::kSent, pending_out_.substr(0, static_cast<std::size_t>(n))});
      pending_out_.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
      break;
    } else {
      write_failed_ = true;
    }
  }
  return !write_failed_;
}

void H2Client::Feed(const char* bytes, std::size_t size) {
  if (received_bytes_.size() < kKeepReceived) {
    received_bytes_.append(bytes, std::min(size, kKeepReceived - received_bytes_.size()));
  }
  if (!session_error_.empty()) return;
  const ssize_t rc =
      nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(bytes), size);
  if (rc < 0) session_error_ = nghttp2_strerror(static_cast<int>(rc));
}

bool H2Client::ReadOnce(int timeout_ms) {
  pollfd pfd{fd_, POLLIN, 0};
  if (!pending_out_.empty() && !write_failed_) pfd.events |= POLLOUT;
  const int ready = poll(&pfd, 1, timeout_ms);
  if (ready <= 0) return false;
  if (pfd.revents & (POLLIN | POLLHUP | POLLERR)) {
    char buffer[65536];
    const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
    if (n > 0) {
      io_.push_back({Direction::kReceived, std::string(buffer, static_cast<std::size_t>(n))});
      Feed(buffer, static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      peer_closed_ = true;
    }
  }
  return true;
}

bool H2Client::RunUntil(const std::function<bool()>& done, Clock::time_point deadline) {
  for (;;) {
    Flush(deadline);
    if (done()) return true;
    if (peer_closed_ || Clock::now() >= deadline) return false;
    ReadOnce(RemainingMs(deadline));
  }
}

bool H2Client::WaitForStream(std::int32_t stream_id, Clock::time_point deadline) {
  return RunUntil(
      [&] {
        const StreamResult& s = streams_[stream_id];
        return s.closed || s.reset_code.has_value() || (s.end_stream && !session_error_.empty());
      },
      deadline);
}

bool H2Client::WaitForClose(Clock::time_point deadline) {
  RunUntil([&] { return peer_closed_; }, deadline);
  return peer_closed_;
}

absl::Status H2Client::SendRaw(const std::string& bytes, Clock::time_point deadline) {
  RunUntil([&] { return pending_out_.empty() || write_failed_; }, deadline);
  for (Frame& frame : ParseRawFrames(bytes, Direction::kSent)) {
    frames_.push_back(std::move(frame));
  }
  pending_out_ += bytes;
  RunUntil([&] { return pending_out_.empty() || write_failed_; }, deadline);
  if (write_failed_) return absl::UnavailableError("the connection was closed while writing");
  if (!pending_out_.empty()) return absl::DeadlineExceededError("could not write in time");
  return absl::OkStatus();
}

}  // namespace course::wire
