// A raw HTTP/2 client for looking at gRPC on the wire.
//
// Framing, HPACK and flow control are libnghttp2's (its client session
// API); this class only moves bytes between nghttp2 and a plaintext TCP
// socket, and records every frame in both directions through nghttp2's
// callbacks. What nghttp2 refuses to produce (a bad connection preface, a
// frame of an unknown type, an HTTP/1.1 request) is written as raw bytes
// with SendRaw().
//
// Every operation takes a deadline; nothing here blocks past it.
#ifndef COURSE_HARNESS_WIRE_H2_CLIENT_H_
#define COURSE_HARNESS_WIRE_H2_CLIENT_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "wire/tls_socket.h"

struct nghttp2_session;

namespace course::wire {

using Clock = std::chrono::steady_clock;
using Header = std::pair<std::string, std::string>;
using Headers = std::vector<Header>;

enum class Direction { kSent, kReceived };

// Frame types as on the wire, plus one pseudo type for the client preface.
inline constexpr int kPrefaceType = -1;

// One frame as recorded, in the order it was sent or received.
struct Frame {
  Direction direction = Direction::kSent;
  int type = 0;  // NGHTTP2_DATA, NGHTTP2_HEADERS, ... (any byte), or kPrefaceType
  std::uint8_t flags = 0;
  std::int32_t stream_id = 0;
  std::size_t length = 0;  // payload length from the frame header
  Headers headers;         // HEADERS: the decoded header block
  std::string data;        // DATA: the payload; PING: the opaque bytes
  std::string note;        // SETTINGS values, RST_STREAM/GOAWAY codes, "raw", ...
  bool raw = false;        // written with SendRaw, not by nghttp2
};

// "HEADERS", "DATA", ..., "UNKNOWN(0xbb)", "PREFACE".
std::string FrameTypeName(int type);
// "END_STREAM|END_HEADERS" for the flags that this type defines.
std::string FrameFlagsText(int type, std::uint8_t flags);
// A readable multi-line log: direction, type, flags, stream, then decoded
// headers and DATA bytes (hex, abbreviated past `max_data_bytes`).
std::string FormatFrames(const std::vector<Frame>& frames, std::size_t max_data_bytes = 64);
// Parses complete frames out of raw bytes, for the log of SendRaw().
std::vector<Frame> ParseRawFrames(const std::string& bytes, Direction direction);

// What came back on one stream.
struct StreamResult {
  std::vector<Headers> header_blocks;   // every HEADERS block, in order
  std::vector<bool> block_ends_stream;  // whether that block carried END_STREAM
  std::string data;                     // every DATA payload byte, in order
  int data_frames = 0;
  bool end_stream = false;                  // the peer ended its side
  bool data_ended_stream = false;           // ...with a DATA frame
  std::optional<std::uint32_t> reset_code;  // RST_STREAM from the peer
  bool closed = false;                      // nghttp2 closed the stream

  // The first block's value for `name`, if any.
  std::optional<std::string> InitialHeader(const std::string& name) const;
  // The last block, when it ended the stream and is not the only block.
  const Headers* Trailers() const;
  // Whether the response was one HEADERS block with END_STREAM.
  bool TrailersOnly() const;
  // Every value of `name` across all blocks.
  std::vector<std::string> AllValues(const std::string& name) const;
};

// One chunk of bytes as it crossed the socket, for a packet capture.
struct IoChunk {
  Direction direction;
  std::string bytes;
};

class H2Client {
 public:
  // Opens a TCP connection to HOST:PORT (IPv4 or a name that resolves to
  // one) and creates the nghttp2 client session. Sends nothing yet.
  // With `tls` enabled, the connection is TLS with ALPN h2.
  static absl::StatusOr<std::unique_ptr<H2Client>> Connect(const std::string& address,
                                                           Clock::time_point deadline,
                                                           const TlsSettings& tls = {});
  ~H2Client();
  H2Client(const H2Client&) = delete;
  H2Client& operator=(const H2Client&) = delete;

  // Queues the client preface: nghttp2 writes the magic and this SETTINGS.
  void SubmitSettings();
  // From now on nghttp2 writes nothing (not even the magic): only SendRaw
  // does. What the peer sends is still decoded and recorded.
  void RawOnly() { session_output_ = false; }
  // Queues a request: one HEADERS block, then one DATA frame per element of
  // `data_frames` (nghttp2 may split a large one for flow control). The
  // stream's last frame carries END_STREAM when `end_stream`.
  // Returns the stream id, or a negative nghttp2 error code.
  std::int32_t SubmitRequest(const Headers& headers, std::vector<std::string> data_frames,
                             bool end_stream = true);
  // More DATA frames on a stream submitted with end_stream false (and no
  // frames left); the last carries END_STREAM when `end_stream`.
  void SubmitData(std::int32_t stream_id, std::vector<std::string> data_frames, bool end_stream);
  // Queues RST_STREAM with `error_code` (8: CANCEL).
  void SubmitReset(std::int32_t stream_id, std::uint32_t error_code = 8);
  // The peer's SETTINGS_MAX_CONCURRENT_STREAMS; nullopt when it sent none.
  std::optional<std::uint32_t> PeerMaxConcurrentStreams() const;
  // Queues a PING with these 8 bytes.
  void SubmitPing(const std::string& opaque8);
  // Writes everything nghttp2 has queued, then `bytes` as they are.
  absl::Status SendRaw(const std::string& bytes, Clock::time_point deadline);

  // Exchanges bytes until `done()` holds, the deadline passes or the peer
  // closes. Returns whether `done()` held.
  bool RunUntil(const std::function<bool()>& done, Clock::time_point deadline);
  // Runs until the stream is closed (or reset). Returns whether it was.
  bool WaitForStream(std::int32_t stream_id, Clock::time_point deadline);
  // Runs until the peer closes the TCP connection.
  bool WaitForClose(Clock::time_point deadline);

  const StreamResult& stream(std::int32_t stream_id) { return streams_[stream_id]; }
  const std::vector<Frame>& frames() const { return frames_; }
  const std::vector<IoChunk>& io() const { return io_; }
  std::string FormatLog() const { return FormatFrames(frames_); }
  const std::vector<std::string>& ping_acks() const { return ping_acks_; }
  bool peer_closed() const { return peer_closed_; }
  std::optional<std::uint32_t> goaway_code() const { return goaway_code_; }
  // Bytes that nghttp2 could not parse (an HTTP/1.1 answer, say), and why.
  const std::string& received_bytes() const { return received_bytes_; }
  const std::string& session_error() const { return session_error_; }
  const std::string& address() const { return address_; }

 private:
  H2Client(int fd, std::string address);
  bool Flush(Clock::time_point deadline);
  bool ReadOnce(int timeout_ms);
  void Feed(const char* bytes, std::size_t size);

  struct Callbacks;
  struct Outgoing {  // DATA frames still to give to nghttp2 on one stream
    std::vector<std::string> frames;
    std::size_t next = 0;
    std::size_t offset = 0;  // inside frames[next], when nghttp2 split it
    bool end_stream = true;
  };

  int fd_;
  std::unique_ptr<TlsSocket> tls_;  // null: plaintext
  std::string address_;
  nghttp2_session* session_ = nullptr;
  std::string pending_out_;
  bool peer_closed_ = false;
  bool write_failed_ = false;
  std::string session_error_;
  std::string received_bytes_;
  std::vector<Frame> frames_;
  std::vector<IoChunk> io_;
  std::map<std::int32_t, StreamResult> streams_;
  std::map<std::int32_t, Outgoing> outgoing_;
  std::map<std::int32_t, std::vector<std::string>> sent_chunks_;
  std::map<std::int32_t, Headers> incoming_headers_;
  std::map<std::int32_t, std::string> incoming_data_;
  std::vector<std::string> ping_acks_;
  std::optional<std::uint32_t> goaway_code_;
  std::size_t recv_index_ = static_cast<std::size_t>(-1);    // frame being received
  std::size_t header_index_ = static_cast<std::size_t>(-1);  // its header block
  bool preface_logged_ = false;
  bool session_output_ = true;
};

}  // namespace course::wire

#endif  // COURSE_HARNESS_WIRE_H2_CLIENT_H_
