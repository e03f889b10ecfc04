#include "selftest/h2_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace course::h2fixture {

ssize_t ReadBody(nghttp2_session* session, int32_t id, Body* body, uint8_t* buf, size_t length,
                 uint32_t* flags) {
  if (body == nullptr) {
    *flags |= NGHTTP2_DATA_FLAG_EOF;
    return 0;
  }
  const std::size_t n = std::min(length, body->response.size() - body->sent);
  std::memcpy(buf, body->response.data() + body->sent, n);
  body->sent += n;
  if (body->sent < body->response.size()) return static_cast<ssize_t>(n);
  if (body->hold_open) {
    if (n == 0) return NGHTTP2_ERR_DEFERRED;
    return static_cast<ssize_t>(n);
  }
  *flags |= NGHTTP2_DATA_FLAG_EOF;
  if (!body->end_with_data) {
    *flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
    std::vector<nghttp2_nv> nva;
    for (auto& [name, value] : body->trailers) {
      nva.push_back({reinterpret_cast<uint8_t*>(name.data()),
                     reinterpret_cast<uint8_t*>(value.data()), name.size(), value.size(),
                     NGHTTP2_NV_FLAG_NONE});
    }
    nghttp2_submit_trailer(session, id, nva.data(), nva.size());
  }
  return static_cast<ssize_t>(n);
}

bool Flush(nghttp2_session* session, int fd, std::string& out, bool hold_back) {
  while (!hold_back) {
    const uint8_t* data = nullptr;
    const ssize_t n = nghttp2_session_mem_send(session, &data);
    if (n <= 0) break;
    out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
  }
  while (!out.empty()) {
    const ssize_t n = send(fd, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out.erase(0, static_cast<std::size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      break;
    } else {
      return false;
    }
  }
  return true;
}

int ListenTcp(const std::string& host_port, const char* program, std::uint16_t* port) {
  const std::size_t colon = host_port.rfind(':');
  sockaddr_in address{};
  address.sin_family = AF_INET;
  if (colon == std::string::npos ||
      inet_pton(AF_INET, host_port.substr(0, colon).c_str(), &address.sin_addr) != 1) {
    std::cerr << program << ": --listen wants IPV4:PORT\n";
    return -1;
  }
  address.sin_port = htons(static_cast<std::uint16_t>(std::stoi(host_port.substr(colon + 1))));
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto* generic = reinterpret_cast<sockaddr*>(&address);
  socklen_t size = sizeof address;
  if (fd < 0 || bind(fd, generic, size) != 0 || listen(fd, 128) != 0 ||
      getsockname(fd, generic, &size) != 0) {
    std::cerr << program << ": cannot listen on " << host_port << ": " << std::strerror(errno)
              << "\n";
    return -1;
  }
  *port = ntohs(address.sin_port);
  return fd;
}

}  // namespace course::h2fixture
