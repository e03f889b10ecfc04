// Lesson 11, HTTP/2 under the hood: write gRPC's length-prefixed framing.
//
// Read lessons/11-http2/README.md first (and lessons/11-http2/getuser-frames.txt,
// the frames of real calls). Check your work with
//   ./course check 11
// The layout of a prefixed message is drawn at the top of framing.h.
#include "framing.h"

namespace course::lesson11 {

std::string EncodeGrpcFrame(std::string_view message, bool compressed) {
  // TODO(task 1): one flag byte (1 when compressed, else 0), the length of
  //               the message as 4 bytes, most significant first, then the
  //               message itself.
  (void)message;
  (void)compressed;
  return "";
}

absl::StatusOr<std::vector<GrpcMessage>> DecodeGrpcFrames(std::string_view data,
                                                          std::uint32_t max_message_bytes) {
  // TODO(task 2): walk `data` prefix by prefix: check the flag (0 or 1),
  //               read the big-endian length, refuse a length above
  //               max_message_bytes with RESOURCE_EXHAUSTED before looking
  //               for its bytes, take the message, and go on until the end.
  //               Bytes that end inside a prefix or a message are
  //               INVALID_ARGUMENT. (Once task 3 works, this can be a
  //               GrpcFrameDecoder: Feed(data), then Finish().)
  (void)data;
  (void)max_message_bytes;
  return absl::UnimplementedError("TODO(task 2): DecodeGrpcFrames");
}

GrpcFrameDecoder::GrpcFrameDecoder(std::uint32_t max_message_bytes)
    : max_message_bytes_(max_message_bytes) {}

absl::StatusOr<std::vector<GrpcMessage>> GrpcFrameDecoder::Feed(std::string_view data) {
  // TODO(task 3): append `data` to pending_, return every message that is now
  //               complete and keep the incomplete tail in pending_ for the
  //               next DATA frame. Remember an error in error_ and return it
  //               from every later call.
  (void)data;
  return absl::UnimplementedError("TODO(task 3): GrpcFrameDecoder::Feed");
}

absl::Status GrpcFrameDecoder::Finish() const {
  // TODO(task 3): the earlier error if there was one; INVALID_ARGUMENT when
  //               bytes of an unfinished prefix or message are left over;
  //               otherwise OK.
  return absl::UnimplementedError("TODO(task 3): GrpcFrameDecoder::Finish");
}

std::size_t GrpcFrameDecoder::buffered() const {
  // TODO(task 3): how many bytes are waiting for the rest of their message.
  return 0;
}

}  // namespace course::lesson11
