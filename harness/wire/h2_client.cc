// The raw HTTP/2 client: nghttp2's callbacks and one session over a socket.
// The frame log as text is in h2_frames.cc, the socket in tcp_connect.cc.
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
#include "wire/h2_frame_notes.h"
#include "wire/tcp_connect.h"

namespace course::wire {
namespace {

constexpr std::size_t kKeepReceived = 1 << 20;  // bytes kept for inspection

}  // namespace

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
                                                            Clock::time_point deadline,
                                                            const TlsSettings& tls) {
  absl::StatusOr<int> fd = ConnectTcp(address, deadline);
  if (!fd.ok()) return fd.status();
  std::unique_ptr<H2Client> client(new H2Client(*fd, address));
  if (tls.enabled) {
    const std::string host = address.substr(0, address.rfind(':'));
    auto socket = TlsSocket::Handshake(*fd, host, tls, deadline);
    if (!socket.ok()) return socket.status();
    client->tls_ = std::move(*socket);
  }
  return client;
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
  tls_.reset();
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

void H2Client::SubmitData(std::int32_t stream_id, std::vector<std::string> data_frames,
                          bool end_stream) {
  Outgoing& out = outgoing_[stream_id];
  out.frames.insert(out.frames.end(), std::make_move_iterator(data_frames.begin()),
                    std::make_move_iterator(data_frames.end()));
  out.end_stream = end_stream;
  nghttp2_session_resume_data(session_, stream_id);
}

void H2Client::SubmitReset(std::int32_t stream_id, std::uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
}

std::optional<std::uint32_t> H2Client::PeerMaxConcurrentStreams() const {
  for (const Frame& f : frames_) {
    if (f.direction != Direction::kReceived || f.type != NGHTTP2_SETTINGS ||
        (f.flags & NGHTTP2_FLAG_ACK) != 0) {
      continue;
    }
    const std::uint32_t value =
        nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
    // nghttp2 reports "unlimited" (2^32 - 1) when the peer named no limit.
    return value != 0xffffffffu ? std::optional<std::uint32_t>(value) : std::nullopt;
  }
  return std::nullopt;
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
    const ssize_t n = tls_ ? tls_->Write(pending_out_.data(), pending_out_.size())
                           : send(fd_, pending_out_.data(), pending_out_.size(), MSG_NOSIGNAL);
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
  // Bytes OpenSSL already decrypted are not on the socket for poll to see.
  const bool buffered = tls_ && tls_->Pending();
  const int ready = poll(&pfd, 1, buffered ? 0 : timeout_ms);
  if (ready < 0 || (ready == 0 && !buffered)) return false;
  if (buffered || (pfd.revents & (POLLIN | POLLHUP | POLLERR))) {
    char buffer[65536];
    const ssize_t n =
        tls_ ? tls_->Read(buffer, sizeof buffer) : recv(fd_, buffer, sizeof buffer, 0);
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
