// Lesson 11 (HTTP/2 under the hood): the frames of one real GetUser call to
// the reference server, recorded over loopback by the raw HTTP/2 client,
// and the shape every gRPC call has on the wire:
//
//   -> PREFACE, SETTINGS               <- SETTINGS
//   -> HEADERS :method POST, :scheme, :path /course.v1.UserService/GetUser,
//              content-type application/grpc, te: trailers
//   -> DATA [END_STREAM] 00 | 00 00 00 02 | 08 01   (flag, length, message)
//   <- HEADERS :status 200, content-type application/grpc
//   <- DATA 00 | 00 00 00 NN | User
//   <- HEADERS [END_STREAM] grpc-status: 0          (the trailers)
//
// A second test checks our frame log against an independent decoder,
// tshark's HTTP/2 dissector, when tshark is installed.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <nghttp2/nghttp2.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "core/target.h"
#include "course/v1/course.pb.h"
#include "wire/grpc_wire.h"
#include "wire/h2_client.h"

namespace course::wire {
namespace {

using std::chrono::seconds;

harness::Target& Reference() {
  static std::unique_ptr<harness::Target> target = [] {
    auto made = harness::MakeLoopbackReference("", /*seed=*/3);
    if (!made.ok()) {
      std::cerr << "cannot start the reference: " << made.status().message() << "\n";
      std::abort();
    }
    return std::move(*made);
  }();
  return *target;
}

struct Recording {
  std::unique_ptr<H2Client> client;
  std::int32_t stream = 0;
};

// One GetUser{id: 1} (a seeded user), from the preface to the trailers.
Recording RecordGetUser() {
  const std::string address = Reference().Address();
  const auto deadline = Clock::now() + seconds(10);
  auto client = H2Client::Connect(address, deadline);
  EXPECT_TRUE(client.ok()) << client.status().message();
  if (!client.ok()) return {};
  Recording recording{std::move(*client), 0};
  H2Client& c = *recording.client;
  c.SubmitSettings();
  v1::GetUserRequest request;
  request.set_id(1);
  recording.stream = c.SubmitRequest(RequestHeaders(address, "GetUser"),
                                     {LengthPrefixed(request.SerializeAsString())});
  EXPECT_TRUE(c.WaitForStream(recording.stream, deadline)) << c.FormatLog();
  // One more flush: our SETTINGS ACK goes out too (RunUntil writes first).
  c.RunUntil([] { return true; }, deadline);
  return recording;
}

const Frame* Find(const std::vector<Frame>& frames, Direction direction, int type,
                  std::size_t from = 0, std::size_t* index = nullptr) {
  for (std::size_t i = from; i < frames.size(); ++i) {
    if (frames[i].direction == direction && frames[i].type == type) {
      if (index != nullptr) *index = i;
      return &frames[i];
    }
  }
  return nullptr;
}

std::uint32_t PrefixLength(const std::string& data) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data());
  return (std::uint32_t{p[1]} << 24) | (p[2] << 16) | (p[3] << 8) | p[4];
}

TEST(FrameShape, GetUserHasTheShapeOfEveryGrpcCall) {
  Recording r = RecordGetUser();
  ASSERT_NE(r.client, nullptr);
  const std::vector<Frame>& frames = r.client->frames();
  std::cout << "The frames of GetUser{id: 1}:\n" << r.client->FormatLog();

  // The client preface: the magic, then SETTINGS; the server's SETTINGS.
  ASSERT_FALSE(frames.empty());
  EXPECT_EQ(frames[0].type, kPrefaceType) << "the connection starts with the client magic";
  const Frame* ours = Find(frames, Direction::kSent, NGHTTP2_SETTINGS);
  ASSERT_NE(ours, nullptr) << "the client sends SETTINGS";
  EXPECT_EQ(ours->flags & NGHTTP2_FLAG_ACK, 0);
  const Frame* theirs = Find(frames, Direction::kReceived, NGHTTP2_SETTINGS);
  ASSERT_NE(theirs, nullptr) << "the server sends SETTINGS";
  EXPECT_EQ(theirs->flags & NGHTTP2_FLAG_ACK, 0);

  // The request: HEADERS, then DATA with the 5-byte prefix and END_STREAM.
  std::size_t at = 0;
  const Frame* request = Find(frames, Direction::kSent, NGHTTP2_HEADERS, 0, &at);
  ASSERT_NE(request, nullptr);
  EXPECT_EQ(request->stream_id, r.stream);
  EXPECT_EQ(Value(request->headers, ":method"), "POST");
  EXPECT_TRUE(Has(request->headers, ":scheme"));
  EXPECT_EQ(Value(request->headers, ":path"), "/course.v1.UserService/GetUser");
  EXPECT_EQ(Value(request->headers, "content-type"), "application/grpc");
  EXPECT_EQ(Value(request->headers, "te"), "trailers");
  EXPECT_EQ(request->flags & NGHTTP2_FLAG_END_STREAM, 0) << "a message follows";
  const Frame* body = Find(frames, Direction::kSent, NGHTTP2_DATA, at);
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->stream_id, r.stream);
  ASSERT_GE(body->data.size(), 5u);
  EXPECT_EQ(body->data[0], 0) << "not compressed";
  EXPECT_EQ(PrefixLength(body->data), body->data.size() - 5);
  EXPECT_NE(body->flags & NGHTTP2_FLAG_END_STREAM, 0) << "the client half-closes";

  // The response: HEADERS, DATA, then the trailers with END_STREAM.
  const Frame* head = Find(frames, Direction::kReceived, NGHTTP2_HEADERS, 0, &at);
  ASSERT_NE(head, nullptr);
  EXPECT_EQ(head->stream_id, r.stream);
  EXPECT_EQ(Value(head->headers, ":status"), "200");
  EXPECT_EQ(Value(head->headers, "content-type").rfind("application/grpc", 0), 0u);
  EXPECT_FALSE(Has(head->headers, "grpc-status")) << "the status comes in the trailers";
  EXPECT_EQ(head->flags & NGHTTP2_FLAG_END_STREAM, 0);
  const Frame* reply = Find(frames, Direction::kReceived, NGHTTP2_DATA, at, &at);
  ASSERT_NE(reply, nullptr);
  ASSERT_GE(reply->data.size(), 5u);
  EXPECT_EQ(reply->data[0], 0);
  EXPECT_EQ(PrefixLength(reply->data), reply->data.size() - 5);
  v1::User user;
  EXPECT_TRUE(user.ParseFromString(reply->data.substr(5)));
  EXPECT_EQ(user.id(), 1);
  const Frame* trailers = Find(frames, Direction::kReceived, NGHTTP2_HEADERS, at + 1);
  ASSERT_NE(trailers, nullptr) << "trailers after the DATA";
  EXPECT_EQ(trailers->stream_id, r.stream);
  EXPECT_EQ(Value(trailers->headers, "grpc-status"), "0");
  EXPECT_NE(trailers->flags & NGHTTP2_FLAG_END_STREAM, 0);
}

// ---- The same call, decoded by tshark from a capture file we write. ----

void Put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void Put32(std::string& out, std::uint32_t v) {
  Put16(out, static_cast<std::uint16_t>(v >> 16));
  Put16(out, static_cast<std::uint16_t>(v & 0xffff));
}
void PutLe32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A pcap (LINKTYPE_RAW: bare IPv4) of the TCP connection that carried
// `io`, with a synthetic handshake and true sequence numbers, so that any
// TCP reassembler sees the byte streams exactly as they crossed the socket.
std::string Pcap(const std::vector<IoChunk>& io, std::uint16_t client_port,
                 std::uint16_t server_port) {
  std::string file;
  PutLe32(file, 0xa1b2c3d4);
  file += std::string("\x02\x00\x04\x00", 4);  // version 2.4
  PutLe32(file, 0);
  PutLe32(file, 0);
  PutLe32(file, 262144);
  PutLe32(file, 101);                   // LINKTYPE_RAW
  std::uint32_t seq[2] = {1000, 5000};  // client, server
  std::uint32_t usec = 0;
  auto packet = [&](bool from_client, std::uint8_t flags, const std::string& payload) {
    std::string tcp;
    Put16(tcp, from_client ? client_port : server_port);
    Put16(tcp, from_client ? server_port : client_port);
    Put32(tcp, seq[from_client ? 0 : 1]);
    Put32(tcp, (flags & 0x10) ? seq[from_client ? 1 : 0] : 0);
    tcp += static_cast<char>(5 << 4);
    tcp += static_cast<char>(flags);
    Put16(tcp, 65535);
    Put32(tcp, 0);  // checksum (not verified by default), urgent pointer
    std::string ip;
    ip += '\x45';
    ip += '\0';
    Put16(ip, static_cast<std::uint16_t>(20 + tcp.size() + payload.size()));
    Put32(ip, 0x00004000);  // id 0, don't fragment
    ip += '\x40';           // ttl
    ip += '\x06';           // TCP
    Put16(ip, 0);           // checksum, filled below
    Put32(ip, 0x7f000001);
    Put32(ip, 0x7f000001);
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2) {
      sum += (static_cast<unsigned char>(ip[i]) << 8) | static_cast<unsigned char>(ip[i + 1]);
    }
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    ip[10] = static_cast<char>((~sum >> 8) & 0xff);
    ip[11] = static_cast<char>(~sum & 0xff);
    const std::string bytes = ip + tcp + payload;
    usec += 1000;
    PutLe32(file, 1700000000 + usec / 1000000);
    PutLe32(file, usec % 1000000);
    PutLe32(file, static_cast<std::uint32_t>(bytes.size()));
    PutLe32(file, static_cast<std::uint32_t>(bytes.size()));
    file += bytes;
    seq[from_client ? 0 : 1] +=
        static_cast<std::uint32_t>(payload.size()) + ((flags & 0x02) ? 1 : 0);
  };
  packet(true, 0x02, "");   // SYN
  packet(false, 0x12, "");  // SYN, ACK
  packet(true, 0x10, "");   // ACK
  for (const IoChunk& chunk : io) {
    for (std::size_t at = 0; at < chunk.bytes.size(); at += 60000) {
      packet(chunk.direction == Direction::kSent, 0x18, chunk.bytes.substr(at, 60000));
    }
  }
  return file;
}

std::string FindTshark() {
  const char* path = std::getenv("PATH");
  for (absl::string_view dir : absl::StrSplit(path ? path : "/usr/bin", ':')) {
    std::filesystem::path candidate = std::filesystem::path(std::string(dir)) / "tshark";
    if (std::filesystem::exists(candidate)) return candidate.string();
  }
  return "";
}

std::string Describe(const std::vector<std::pair<int, int>>& frames) {
  std::string out;
  for (const auto& [type, stream] : frames) {
    out += FrameTypeName(type) + "/" + std::to_string(stream) + " ";
  }
  return out;
}

TEST(FrameShape, AgreesWithTsharksHttp2Dissector) {
  const std::string tshark = FindTshark();
  if (tshark.empty()) {
    GTEST_SKIP() << "tshark is not installed, so our frame log was not compared with "
                    "Wireshark's HTTP/2 dissector (apt-get install tshark to run this test)";
  }
  Recording r = RecordGetUser();
  ASSERT_NE(r.client, nullptr);
  const std::string& address = r.client->address();
  const auto server_port =
      static_cast<std::uint16_t>(std::stoi(address.substr(address.rfind(':') + 1)));
  const std::uint16_t client_port = server_port == 40000 ? 40001 : 40000;
  const std::string pcap_path = testing::TempDir() + "wire_frame_shape.pcap";
  {
    std::ofstream out(pcap_path, std::ios::binary | std::ios::trunc);
    out << Pcap(r.client->io(), client_port, server_port);
  }
  const std::string command =
      "timeout 60 '" + tshark + "' -n -r '" + pcap_path +
      "' -d tcp.port==" + std::to_string(server_port) +
      ",http2 -T fields -e tcp.srcport -e http2.type -e http2.streamid 2>/dev/null";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string output;
  char buffer[4096];
  while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) output.append(buffer, n);
  ASSERT_EQ(pclose(pipe), 0) << command << "\n" << output;

  // tshark: per packet "srcport<TAB>type,type,...<TAB>stream,stream,...".
  std::vector<std::pair<int, int>> theirs[2];  // [0] sent by us, [1] received
  for (absl::string_view line : absl::StrSplit(output, '\n', absl::SkipEmpty())) {
    std::vector<std::string> fields = absl::StrSplit(line, '\t');
    ASSERT_EQ(fields.size(), 3u) << line;
    if (fields[1].empty()) continue;  // the handshake, or only the magic
    std::vector<std::string> types = absl::StrSplit(fields[1], ',');
    std::vector<std::string> streams = absl::StrSplit(fields[2], ',');
    ASSERT_EQ(types.size(), streams.size()) << line;
    const int side = fields[0] == std::to_string(client_port) ? 0 : 1;
    for (std::size_t i = 0; i < types.size(); ++i) {
      int type = 0, stream = 0;
      ASSERT_TRUE(absl::SimpleAtoi(types[i], &type) && absl::SimpleAtoi(streams[i], &stream))
          << line;
      theirs[side].emplace_back(type, stream);
    }
  }
  std::vector<std::pair<int, int>> ours[2];
  for (const Frame& f : r.client->frames()) {
    if (f.type == kPrefaceType) continue;
    ours[f.direction == Direction::kSent ? 0 : 1].emplace_back(f.type, f.stream_id);
  }
  for (int side = 0; side < 2; ++side) {
    EXPECT_EQ(Describe(ours[side]), Describe(theirs[side]))
        << (side == 0 ? "frames sent" : "frames received") << ": our log and tshark's disagree\n"
        << r.client->FormatLog();
  }
  std::cout << "tshark agrees: " << ours[0].size() << " frames sent, " << ours[1].size()
            << " received\n";
}

}  // namespace
}  // namespace course::wire
