// What the deliberately broken HTTP/2 servers (course-broken-h2-server for the
// wire checks, course-broken-grpc-server for the protocol suite) share: a
// listening socket, the data source that sends a scripted response body, and
// the loop that moves nghttp2's output onto the socket. Each server keeps its
// own modes; only this plumbing is common.
#pragma once

#include <nghttp2/nghttp2.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace course::h2fixture {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The response a broken server scripts for one stream.
struct Body {
  std::string response;  // DATA still to send
  std::size_t sent = 0;
  Headers trailers;
  bool hold_open = false;      // once the DATA is out, keep the stream open
  bool end_with_data = false;  // END_STREAM on the last DATA frame, no trailers
};

// nghttp2's read callback for `body` (nullptr: the stream is gone, end it).
ssize_t ReadBody(nghttp2_session* session, int32_t id, Body* body, uint8_t* buf, size_t length,
                 uint32_t* flags);

// Serialises what the session has to send into `out` (unless `hold_back`),
// then writes what the socket takes without blocking. False: the peer is gone.
bool Flush(nghttp2_session* session, int fd, std::string& out, bool hold_back = false);

// A listening TCP socket on IPV4:PORT (port 0: any); the port chosen in *port.
// -1 after printing why, prefixed with `program`.
int ListenTcp(const std::string& host_port, const char* program, std::uint16_t* port);

}  // namespace course::h2fixture
