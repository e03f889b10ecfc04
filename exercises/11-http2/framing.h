// Lesson 11, HTTP/2 under the hood: gRPC's own framing inside HTTP/2 DATA.
//
// Every gRPC message on the wire is a 5-byte prefix and the message bytes:
//
//   +------------+--------------------------+-------------------+
//   | compressed | length (4 bytes, big-    | message           |
//   | flag 0 / 1 | endian, unsigned)        | (length bytes)    |
//   +------------+--------------------------+-------------------+
//
// The prefixed messages of one direction of a call form one byte stream,
// which HTTP/2 cuts into DATA frames wherever it likes: a DATA frame may hold
// several messages, part of one, or the end of one and the start of the next.
#ifndef COURSE_LESSON_11_FRAMING_H_
#define COURSE_LESSON_11_FRAMING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace course::lesson11 {

inline constexpr std::size_t kPrefixBytes = 5;
// gRPC's default limit on a received message (and the contract's S3).
inline constexpr std::uint32_t kDefaultMaxMessageBytes = 4 * 1024 * 1024;

struct GrpcMessage {
  bool compressed = false;
  std::string bytes;
  friend bool operator==(const GrpcMessage& a, const GrpcMessage& b) {
    return a.compressed == b.compressed && a.bytes == b.bytes;
  }
};

// Task 1: the prefix and the message, ready to go into DATA frames.
std::string EncodeGrpcFrame(std::string_view message, bool compressed = false);

// Task 2: every message of one direction of a call, given all of its DATA
// bytes at once. Errors:
//   INVALID_ARGUMENT    a flag byte other than 0 or 1, or the bytes end in
//                       the middle of a prefix or of a message;
//   RESOURCE_EXHAUSTED  a prefix announces more than max_message_bytes (say
//                       so at once: do not wait for, or allocate, the bytes).
absl::StatusOr<std::vector<GrpcMessage>> DecodeGrpcFrames(
    std::string_view data, std::uint32_t max_message_bytes = kDefaultMaxMessageBytes);

// Task 3: the same, fed DATA frame by DATA frame as they arrive.
class GrpcFrameDecoder {
 public:
  explicit GrpcFrameDecoder(std::uint32_t max_message_bytes = kDefaultMaxMessageBytes);

  // Takes the payload of one DATA frame; returns the messages it completed,
  // in order (possibly none). Keeps an incomplete tail for the next call.
  // After an error every later call returns the same error.
  absl::StatusOr<std::vector<GrpcMessage>> Feed(std::string_view data);

  // The stream ended (END_STREAM): OK when no message was left half-received,
  // INVALID_ARGUMENT otherwise (or the earlier error).
  absl::Status Finish() const;

  // Bytes held back, waiting for the rest of a prefix or message.
  std::size_t buffered() const;

 private:
  std::uint32_t max_message_bytes_;
  std::string pending_;
  absl::Status error_;
};

}  // namespace course::lesson11

#endif  // COURSE_LESSON_11_FRAMING_H_
