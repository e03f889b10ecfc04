// gRPC's own layer over HTTP/2, as bytes and headers: the length prefix,
// the request headers, percent-encoding of grpc-message. Shared by the wire
// checks, the lesson-11 frame test and the broken servers.
#ifndef COURSE_HARNESS_WIRE_GRPC_WIRE_H_
#define COURSE_HARNESS_WIRE_GRPC_WIRE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "wire/h2_client.h"

namespace course::wire {

inline constexpr char kUserService[] = "/course.v1.UserService/";

// One message on the wire: a compressed flag (1 byte), a 4-byte big-endian
// length, then the bytes.
std::string LengthPrefixed(const std::string& message, bool compressed = false);
// The same prefix with a length that need not match (for lying prefixes).
std::string Prefix(std::uint32_t length, bool compressed = false);

struct WireMessage {
  bool compressed = false;
  std::string bytes;
};
// Splits DATA bytes into length-prefixed messages. An error says how the
// framing is broken (a prefix that promises more than arrived, a flag that
// is neither 0 nor 1).
absl::StatusOr<std::vector<WireMessage>> SplitMessages(const std::string& data);

// The headers of a gRPC request: :method POST, :scheme http, :path,
// :authority, content-type application/grpc, te trailers, then `extra`.
Headers RequestHeaders(const std::string& authority, const std::string& method,
                       const Headers& extra = {});
// The same without the named headers (for example "te").
Headers Without(Headers headers, const std::string& name);
// The same with `name` set to `value` (replaced, or added).
Headers With(Headers headers, const std::string& name, const std::string& value);

// grpc-message rules: only bytes 0x20..0x7E, and every '%' starts %XX.
// Returns "" when `value` follows them, else what is wrong.
std::string PercentEncodingProblem(const std::string& value);
std::string PercentDecode(const std::string& value);
std::string PercentEncode(const std::string& text);

// The value of `name` in `headers`, or "" (check `Has` for presence).
std::string Value(const Headers& headers, const std::string& name);
bool Has(const Headers& headers, const std::string& name);

}  // namespace course::wire

#endif  // COURSE_HARNESS_WIRE_GRPC_WIRE_H_
