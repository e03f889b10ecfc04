// Small HTTP/2 "gRPC" servers, each wrong in one way on the wire, built on
// nghttp2's server session API. They prove that each wire check can fail:
// harness/wire/broken_servers.txt names the check that must catch each mode.
//
//   course-broken-h2-server --mode MODE [--listen 127.0.0.1:0]
//
// They answer just enough of course.v1 for the wire checks: CreateUsers
// (ids 1, 2, ... for any messages) and GetUser (the User with the asked id),
// everything else UNIMPLEMENTED. Only GetUser answers are broken:
//
//   ok                  nothing broken (the self-test's control)
//   no-grpc-status      trailers without grpc-status
//   wrong-content-type  content-type: application/json
//   status-in-headers   grpc-status in the initial HEADERS, no trailers
//                       (the DATA frame ends the stream)
//   lying-prefix        a length prefix 10 bytes longer than the message
//   no-trailers         HEADERS and DATA, then the stream never ends
//   http1-only          HTTP/2 as in `ok`, but an HTTP/1.1 request is also
//                       answered as gRPC (200, application/grpc, grpc-status)
//
// Prints `listening on 127.0.0.1:PORT` once it accepts connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "selftest/h2_fixture.h"

namespace {

std::string Prefixed(const std::string& message, std::uint32_t length) {
  std::string out(5, '\0');
  out[1] = static_cast<char>(length >> 24);
  out[2] = static_cast<char>(length >> 16);
  out[3] = static_cast<char>(length >> 8);
  out[4] = static_cast<char>(length);
  return out + message;
}

std::string Varint(std::uint64_t value) {
  std::string out;
  while (value >= 0x80) {
    out += static_cast<char>((value & 0x7f) | 0x80);
    value >>= 7;
  }
  out += static_cast<char>(value);
  return out;
}

// The response side is an h2fixture::Body (hold_open for no-trailers).
struct Stream : course::h2fixture::Body {
  std::string path;
  std::string body;  // the request's DATA
};

class Connection {
 public:
  Connection(int fd, std::string mode);
  ~Connection() {
    nghttp2_session_del(session_);
    close(fd_);
  }
  int fd() const { return fd_; }
  bool WantsWrite() const { return !out_.empty(); }
  // Returns false when the connection is done.
  bool OnReadable();
  bool Pump();

 private:
  bool HandleHttp1();
  static bool Known(const std::string& body);  // a GetUser of an id handed out
  void Respond(std::int32_t id);

  static int OnBeginHeaders(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    static_cast<Connection*>(user)->streams_[frame->hd.stream_id] = Stream{};
    return 0;
  }
  static int OnHeader(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name,
                      size_t namelen, const uint8_t* value, size_t valuelen, uint8_t, void* user) {
    auto* self = static_cast<Connection*>(user);
    if (std::string(reinterpret_cast<const char*>(name), namelen) == ":path") {
      self->streams_[frame->hd.stream_id].path.assign(reinterpret_cast<const char*>(value),
                                                      valuelen);
    }
    return 0;
  }
  static int OnData(nghttp2_session*, uint8_t, int32_t id, const uint8_t* data, size_t len,
                    void* user) {
    static_cast<Connection*>(user)->streams_[id].body.append(reinterpret_cast<const char*>(data),
                                                             len);
    return 0;
  }
  static int OnFrameRecv(nghttp2_session*, const nghttp2_frame* frame, void* user) {
    if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
        (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) {
      static_cast<Connection*>(user)->Respond(frame->hd.stream_id);
    }
    return 0;
  }
  static int OnClose(nghttp2_session*, int32_t id, uint32_t, void* user) {
    static_cast<Connection*>(user)->streams_.erase(id);
    return 0;
  }
  static ssize_t Read(nghttp2_session* session, int32_t id, uint8_t* buf, size_t length,
                      uint32_t* flags, nghttp2_data_source*, void* user) {
    auto* self = static_cast<Connection*>(user);
    auto it = self->streams_.find(id);
    course::h2fixture::Body* body = it == self->streams_.end() ? nullptr : &it->second;
    return course::h2fixture::ReadBody(session, id, body, buf, length, flags);
  }

  int fd_;
  std::string mode_;
  nghttp2_session* session_ = nullptr;
  std::map<std::int32_t, Stream> streams_;
  std::string out_;
  std::string sniffed_;
  bool sniffing_;
  static inline int next_id_ = 1;
};

Connection::Connection(int fd, std::string mode)
    : fd_(fd), mode_(std::move(mode)), sniffing_(mode_ == "http1-only") {
  nghttp2_session_callbacks* callbacks = nullptr;
  nghttp2_session_callbacks_new(&callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(callbacks, OnBeginHeaders);
  nghttp2_session_callbacks_set_on_header_callback(callbacks, OnHeader);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, OnData);
  nghttp2_session_callbacks_set_on_frame_recv_callback(callbacks, OnFrameRecv);
  nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, OnClose);
  nghttp2_session_server_new(&session_, callbacks, this);
  nghttp2_session_callbacks_del(callbacks);
  const nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 100}};
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, 1);
}

void Connection::Respond(std::int32_t id) {
  Stream& s = streams_[id];
  const std::string method = s.path.substr(s.path.rfind('/') + 1);
  std::vector<std::pair<std::string, std::string>> headers = {{":status", "200"},
                                                              {"content-type", "application/grpc"}};
  s.trailers = {{"grpc-status", "0"}};
  std::uint32_t lie = 0;
  if (method == "CreateUsers") {
    std::size_t count = 0;
    for (std::size_t at = 0; at + 5 <= s.body.size(); ++count) {
      const auto* p = reinterpret_cast<const unsigned char*>(s.body.data() + at);
      at += 5 + ((std::size_t{p[1]} << 24) | (p[2] << 16) | (p[3] << 8) | p[4]);
    }
    std::string ids;
    for (std::size_t i = 0; i < count; ++i) ids += Varint(static_cast<std::uint64_t>(next_id_++));
    s.response = Prefixed("\x0a" + Varint(ids.size()) + ids,
                          static_cast<std::uint32_t>(1 + Varint(ids.size()).size() + ids.size()));
  } else if (method == "GetUser" && Known(s.body)) {
    // GetUserRequest{id} is `08 <varint>`, and so is the id field of User.
    const std::string user = s.body.substr(5) +
                             "\x12\x03"
                             "Ada"
                             "\x1a\x0f"
                             "ada@example.org";
    if (mode_ == "wrong-content-type") headers[1].second = "application/json";
    if (mode_ == "no-grpc-status") s.trailers = {{"x-course-broken", "no status"}};
    if (mode_ == "status-in-headers") {
      headers.emplace_back("grpc-status", "0");
      s.end_with_data = true;
    }
    if (mode_ == "lying-prefix") lie = 10;
    if (mode_ == "no-trailers") s.hold_open = true;
    s.response = Prefixed(user, static_cast<std::uint32_t>(user.size() + lie));
  } else {
    // Trailers-only: an error before any message.
    headers.emplace_back("grpc-status", method == "GetUser" ? "5" : "12");
    headers.emplace_back("grpc-message", method == "GetUser" ? "no such user" : "no such method");
    std::vector<nghttp2_nv> nva;
    for (auto& [name, value] : headers) {
      nva.push_back({reinterpret_cast<uint8_t*>(name.data()),
                     reinterpret_cast<uint8_t*>(value.data()), name.size(), value.size(),
                     NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_submit_response(session_, id, nva.data(), nva.size(), nullptr);
    return;
  }
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

bool Connection::Known(const std::string& body) {
  // GetUserRequest{id}: `08 <varint>` after the 5-byte prefix.
  if (body.size() < 7 || body[5] != '\x08') return false;
  std::uint64_t id = 0;
  for (std::size_t i = 6, shift = 0; i < body.size() && shift < 64; ++i, shift += 7) {
    id |= std::uint64_t{static_cast<unsigned char>(body[i]) & 0x7fu} << shift;
    if ((static_cast<unsigned char>(body[i]) & 0x80) == 0) break;
  }
  return id > 0 && id < static_cast<std::uint64_t>(next_id_);
}

bool Connection::HandleHttp1() {
  // gRPC over HTTP/1.1 (which gRPC does not allow): exactly what the
  // http1 wire check must catch.
  if (sniffed_.find("\r\n\r\n") == std::string::npos) return true;
  out_ +=
      "HTTP/1.1 200 OK\r\ncontent-type: application/grpc\r\ngrpc-status: 0\r\n"
      "content-length: 0\r\nconnection: close\r\n\r\n";
  Pump();
  shutdown(fd_, SHUT_WR);
  return false;
}

bool Connection::OnReadable() {
  char buffer[65536];
  const ssize_t n = recv(fd_, buffer, sizeof buffer, 0);
  if (n == 0) return false;
  if (n < 0) return errno == EAGAIN || errno == EINTR;
  if (sniffing_) {
    sniffed_.append(buffer, static_cast<std::size_t>(n));
    if (sniffed_.size() < 4) return true;
    if (sniffed_.compare(0, 4, "PRI ") != 0) return HandleHttp1();
    sniffing_ = false;
    const ssize_t rc = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const uint8_t*>(sniffed_.data()), sniffed_.size());
    return rc >= 0 && Pump();
  }
  const ssize_t rc = nghttp2_session_mem_recv(session_, reinterpret_cast<const uint8_t*>(buffer),
                                              static_cast<std::size_t>(n));
  return rc >= 0 && Pump();
}

bool Connection::Pump() {
  // While sniffing, nothing of HTTP/2 (not even SETTINGS) goes out.
  if (!course::h2fixture::Flush(session_, fd_, out_, /*hold_back=*/sniffing_)) return false;
  return !sniffing_ ? (nghttp2_session_want_read(session_) ||
                       nghttp2_session_want_write(session_) || !out_.empty())
                    : true;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"HTTP/2 servers that are wrong in one way on the wire"};
  std::string mode = "ok";
  std::string listen = "127.0.0.1:0";
  app.add_option("--mode", mode, "what to break")
      ->check(CLI::IsMember({"ok", "no-grpc-status", "wrong-content-type", "status-in-headers",
                             "lying-prefix", "no-trailers", "http1-only"}));
  app.add_option("--listen", listen, "IPV4:PORT; port 0 picks a free port");
  CLI11_PARSE(app, argc, argv);

  std::uint16_t port = 0;
  const int listener = course::h2fixture::ListenTcp(listen, "course-broken-h2-server", &port);
  if (listener < 0) return 1;
  std::cerr << "course-broken-h2-server: mode " << mode << "\n";
  std::cout << "listening on " << listen.substr(0, listen.rfind(':')) << ":" << port << std::endl;

  std::vector<std::unique_ptr<Connection>> connections;
  for (;;) {
    std::vector<pollfd> fds = {{listener, POLLIN, 0}};
    for (const auto& c : connections) {
      fds.push_back({c->fd(), static_cast<short>(POLLIN | (c->WantsWrite() ? POLLOUT : 0)), 0});
    }
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    std::vector<std::unique_ptr<Connection>> open;
    for (std::size_t i = 0; i < connections.size(); ++i) {
      bool keep = true;
      if (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) keep = connections[i]->OnReadable();
      if (keep && (fds[i + 1].revents & POLLOUT)) keep = connections[i]->Pump();
      if (keep) open.push_back(std::move(connections[i]));
    }
    connections = std::move(open);
    if (fds[0].revents & POLLIN) {
      const int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd >= 0) {
        connections.push_back(std::make_unique<Connection>(fd, mode));
        connections.back()->Pump();
      }
    }
  }
}
