// Lesson 11, HTTP/2 under the hood: gRPC's length-prefixed framing, solved.
#include "framing.h"

#include "absl/strings/str_cat.h"

namespace course::lesson11 {
namespace {

// Bytes 1..4 of a prefix: the length, most significant byte first.
std::uint32_t ReadLength(std::string_view prefix) {
  std::uint32_t length = 0;
  for (std::size_t i = 1; i < kPrefixBytes; ++i) {
    length = (length << 8) | static_cast<unsigned char>(prefix[i]);
  }
  return length;
}

}  // namespace

// Task 1.
std::string EncodeGrpcFrame(std::string_view message, bool compressed) {
  // Callers keep messages far below 4 GiB (gRPC's default limit is 4 MiB).
  const auto length = static_cast<std::uint32_t>(message.size());
  std::string frame;
  frame.reserve(kPrefixBytes + message.size());
  frame.push_back(compressed ? '\x01' : '\x00');
  for (int shift = 24; shift >= 0; shift -= 8) {
    frame.push_back(static_cast<char>((length >> shift) & 0xFF));
  }
  frame.append(message);
  return frame;
}

// Task 2: a whole buffer is one DATA frame followed by END_STREAM.
absl::StatusOr<std::vector<GrpcMessage>> DecodeGrpcFrames(std::string_view data,
                                                          std::uint32_t max_message_bytes) {
  GrpcFrameDecoder decoder(max_message_bytes);
  absl::StatusOr<std::vector<GrpcMessage>> messages = decoder.Feed(data);
  if (!messages.ok()) return messages.status();
  if (absl::Status end = decoder.Finish(); !end.ok()) return end;
  return messages;
}

// Task 3.
GrpcFrameDecoder::GrpcFrameDecoder(std::uint32_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

absl::StatusOr<std::vector<GrpcMessage>> GrpcFrameDecoder::Feed(std::string_view data) {
  if (!error_.ok()) return error_;  // a broken stream stays broken
  pending_.append(data);
  std::vector<GrpcMessage> messages;
  std::size_t at = 0;  // start of the first message not yet returned
  while (at < pending_.size()) {
    // Judge each part of the prefix as soon as it is here: the flag after
    // one byte, the length after five.
    const auto flag = static_cast<unsigned char>(pending_[at]);
    if (flag > 1) {
      error_ = absl::InvalidArgumentError(
          absl::StrCat("a message's compressed flag is ", flag, "; it must be 0 or 1"));
      return error_;
    }
    if (pending_.size() - at < kPrefixBytes) break;
    const std::uint32_t length = ReadLength(std::string_view(pending_).substr(at));
    if (length > max_message_bytes_) {
      // Refuse now: waiting for (and buffering) what a lying prefix promises
      // is how a peer makes a server run out of memory.
      error_ = absl::ResourceExhaustedError(absl::StrCat(
          "a message of ", length, " bytes is larger than the limit of ", max_message_bytes_));
      return error_;
    }
    if (pending_.size() - at - kPrefixBytes < length) break;  // the rest comes later
    messages.push_back({flag == 1, pending_.substr(at + kPrefixBytes, length)});
    at += kPrefixBytes + length;
  }
  pending_.erase(0, at);  // keep only the incomplete tail
  return messages;
}

absl::Status GrpcFrameDecoder::Finish() const {
  if (!error_.ok()) return error_;
  if (pending_.empty()) return absl::OkStatus();
  if (pending_.size() < kPrefixBytes) {
    return absl::InvalidArgumentError(absl::StrCat("the stream ended inside a message prefix (",
                                                   pending_.size(), " of 5 bytes)"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("the stream ended inside a message: its prefix announces ", ReadLength(pending_),
                   " bytes, ", pending_.size() - kPrefixBytes, " arrived"));
}

std::size_t GrpcFrameDecoder::buffered() const { return pending_.size(); }

}  // namespace course::lesson11
