#include "wire/tls_socket.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <cerrno>

#include "absl/strings/str_cat.h"
#include "wire/tcp_connect.h"

namespace course::wire {
namespace {

std::string OpenSslError() {
  const unsigned long code = ERR_get_error();
  if (code == 0) return "no detail from OpenSSL";
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

// ctx set up as the settings say, or an error.
absl::StatusOr<SSL_CTX*> MakeContext(const TlsSettings& settings) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return absl::InternalError("SSL_CTX_new failed");
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);  // RFC 9113 9.2
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  const bool roots = settings.ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx) == 1
                                              : SSL_CTX_load_verify_locations(
                                                    ctx, settings.ca_file.c_str(), nullptr) == 1;
  bool client_cert = true;
  if (!settings.cert_file.empty()) {
    client_cert =
        SSL_CTX_use_certificate_chain_file(ctx, settings.cert_file.c_str()) == 1 &&
        SSL_CTX_use_PrivateKey_file(ctx, settings.key_file.c_str(), SSL_FILETYPE_PEM) == 1;
  }
  static const unsigned char kAlpn[] = {2, 'h', '2'};
  if (!roots || !client_cert || SSL_CTX_set_alpn_protos(ctx, kAlpn, sizeof kAlpn) != 0) {
    const std::string why = OpenSslError();
    SSL_CTX_free(ctx);
    return absl::InvalidArgumentError(absl::StrCat(
        !roots ? "cannot load the CA certificates: " : "cannot load the client certificate: ",
        why));
  }
  return ctx;
}

}  // namespace

absl::StatusOr<std::unique_ptr<TlsSocket>> TlsSocket::Handshake(
    int fd, const std::string& host, const TlsSettings& settings,
    std::chrono::steady_clock::time_point deadline) {
  absl::StatusOr<SSL_CTX*> ctx = MakeContext(settings);
  if (!ctx.ok()) return ctx.status();
  SSL* ssl = SSL_new(*ctx);
  std::unique_ptr<TlsSocket> socket(new TlsSocket(*ctx, ssl));
  const std::string name = settings.server_name.empty() ? host : settings.server_name;
  // (SSL_set_tlsext_host_name is a macro with a C cast over this call.)
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(name.c_str()));
  SSL_set1_host(ssl, name.c_str());
  SSL_set_fd(ssl, fd);
  for (;;) {
    const int rc = SSL_connect(ssl);
    if (rc == 1) break;
    const int error = SSL_get_error(ssl, rc);
    short events = 0;
    if (error == SSL_ERROR_WANT_READ) events = POLLIN;
    if (error == SSL_ERROR_WANT_WRITE) events = POLLOUT;
    if (events == 0) {
      const long verify = SSL_get_verify_result(ssl);
      return absl::UnavailableError(absl::StrCat(
          "the TLS handshake failed: ",
          verify != X509_V_OK ? X509_verify_cert_error_string(verify) : OpenSslError()));
    }
    pollfd pfd{fd, events, 0};
    if (poll(&pfd, 1, RemainingMs(deadline)) <= 0) {
      return absl::DeadlineExceededError("the TLS handshake did not finish in time");
    }
  }
  const unsigned char* alpn = nullptr;
  unsigned int alpn_size = 0;
  SSL_get0_alpn_selected(ssl, &alpn, &alpn_size);
  if (std::string(reinterpret_cast<const char*>(alpn), alpn_size) != "h2") {
    return absl::FailedPreconditionError(
        "the server did not choose ALPN h2 in the TLS handshake (gRPC needs HTTP/2)");
  }
  return socket;
}

TlsSocket::~TlsSocket() {
  SSL_free(ssl_);
  SSL_CTX_free(ctx_);
}

ssize_t TlsSocket::Write(const char* data, std::size_t size) {
  const int n = SSL_write(ssl_, data, static_cast<int>(size));
  if (n > 0) return n;
  const int error = SSL_get_error(ssl_, n);
  errno = error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE ? EAGAIN : EPIPE;
  return -1;
}

ssize_t TlsSocket::Read(char* buffer, std::size_t size) {
  const int n = SSL_read(ssl_, buffer, static_cast<int>(size));
  if (n > 0) return n;
  const int error = SSL_get_error(ssl_, n);
  if (error == SSL_ERROR_ZERO_RETURN) return 0;
  if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
    errno = EAGAIN;
    return -1;
  }
  if (error == SSL_ERROR_SYSCALL && errno == 0) return 0;  // closed without close_notify
  errno = ECONNRESET;
  return -1;
}

bool TlsSocket::Pending() const { return SSL_pending(ssl_) > 0; }

}  // namespace course::wire
