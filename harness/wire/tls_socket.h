// TLS under the raw HTTP/2 client: an OpenSSL session over a connected
// non-blocking socket, with ALPN h2 (RFC 9113 3.2), the server's certificate
// checked, and a client certificate for servers that ask for one.
#ifndef COURSE_HARNESS_WIRE_TLS_SOCKET_H_
#define COURSE_HARNESS_WIRE_TLS_SOCKET_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

struct ssl_st;
struct ssl_ctx_st;

namespace course::wire {

struct TlsSettings {
  bool enabled = false;
  std::string ca_file;      // PEM roots; empty: the system's
  std::string server_name;  // the name the certificate must carry; empty: the host
  std::string cert_file;    // client certificate chain (PEM), optional
  std::string key_file;     // its private key
};

class TlsSocket {
 public:
  // Handshakes on `fd` (connected, non-blocking) for `host`, within the
  // deadline; fails when the peer does not choose ALPN h2.
  static absl::StatusOr<std::unique_ptr<TlsSocket>> Handshake(
      int fd, const std::string& host, const TlsSettings& settings,
      std::chrono::steady_clock::time_point deadline);
  ~TlsSocket();
  TlsSocket(const TlsSocket&) = delete;
  TlsSocket& operator=(const TlsSocket&) = delete;

  // As send(2) and recv(2) on a non-blocking socket: -1 with errno EAGAIN
  // when nothing can move now, 0 from Read when the peer closed.
  ssize_t Write(const char* data, std::size_t size);
  ssize_t Read(char* buffer, std::size_t size);
  // Bytes OpenSSL holds already decrypted (poll does not see them).
  bool Pending() const;

 private:
  TlsSocket(ssl_ctx_st* ctx, ssl_st* ssl) : ctx_(ctx), ssl_(ssl) {}
  ssl_ctx_st* ctx_;
  ssl_st* ssl_;
};

}  // namespace course::wire

#endif  // COURSE_HARNESS_WIRE_TLS_SOCKET_H_
