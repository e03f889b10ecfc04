// Lesson 11's tests: gRPC's length-prefixed messages, encoded and decoded.
//
// The examples come from real calls (lessons/11-http2/getuser-frames.txt);
// the properties cut a stream of random messages into random DATA frames,
// the way HTTP/2 may deliver them.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "course/v1/course.pb.h"
#include "framing.h"

namespace course::lesson11 {
// How rapidcheck and gtest print a message.
void showValue(const GrpcMessage& message, std::ostream& out) {
  out << "{compressed: " << message.compressed << ", " << message.bytes.size() << " bytes}";
}
void PrintTo(const GrpcMessage& message, std::ostream* out) { showValue(message, *out); }
}  // namespace course::lesson11

namespace {

using course::lesson11::DecodeGrpcFrames;
using course::lesson11::EncodeGrpcFrame;
using course::lesson11::GrpcFrameDecoder;
using course::lesson11::GrpcMessage;

std::string Hex(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : bytes) {
    if (!out.empty()) out += ' ';
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xF];
  }
  return out;
}

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int value : values) out += static_cast<char>(value);
  return out;
}

// The test's own encoder, so that decoding is tested without trusting task 1.
std::string Prefixed(const GrpcMessage& message) {
  const auto n = static_cast<std::uint32_t>(message.bytes.size());
  return Bytes({message.compressed ? 1 : 0, static_cast<int>(n >> 24),
                static_cast<int>((n >> 16) & 0xFF), static_cast<int>((n >> 8) & 0xFF),
                static_cast<int>(n & 0xFF)}) +
         message.bytes;
}

std::string Stream(const std::vector<GrpcMessage>& messages) {
  std::string out;
  for (const auto& message : messages) out += Prefixed(message);
  return out;
}

rc::Gen<GrpcMessage> AnyMessage() {
  return rc::gen::apply(
      [](bool compressed, std::string bytes) {
        return GrpcMessage{compressed, std::move(bytes)};
      },
      rc::gen::arbitrary<bool>(),
      rc::gen::oneOf(rc::gen::just(std::string()), rc::gen::arbitrary<std::string>(),
                     rc::gen::container<std::string>(300, rc::gen::arbitrary<char>())));
}

// --- task 1: encode -------------------------------------------------------

TEST(Encode, AnEmptyMessageIsJustThePrefix) {
  EXPECT_EQ(Hex(EncodeGrpcFrame("")), "00 00 00 00 00");
}

TEST(Encode, TheRequestOfTheRecordedCall) {
  course::v1::GetUserRequest request;
  request.set_id(1);
  EXPECT_EQ(Hex(EncodeGrpcFrame(request.SerializeAsString())), "00 00 00 00 02 08 01")
      << "frame 4 of getuser-frames.txt: flag 0, length 2, then the GetUserRequest";
}

TEST(Encode, TheCompressedFlagIsTheFirstByte) {
  EXPECT_EQ(Hex(EncodeGrpcFrame("ab", /*compressed=*/true)), "01 00 00 00 02 61 62");
}

TEST(Encode, TheLengthIsFourBytesBigEndian) {
  EXPECT_EQ(Hex(EncodeGrpcFrame(std::string(300, 'x')).substr(0, 5)), "00 00 00 01 2c")
      << "300 = 0x0000012c, most significant byte first";
  EXPECT_EQ(Hex(EncodeGrpcFrame(std::string(70000, 'x')).substr(0, 5)), "00 00 01 11 70")
      << "70000 = 0x00011170";
}

RC_GTEST_PROP(Encode, AnyMessageIsItsPrefixThenItsBytes, ()) {
  const GrpcMessage message = *AnyMessage();
  RC_ASSERT(Hex(EncodeGrpcFrame(message.bytes, message.compressed)) == Hex(Prefixed(message)));
}

// --- task 2: decode a whole buffer ------------------------------------------

TEST(Decode, SeveralMessagesInOneBuffer) {
  const std::vector<GrpcMessage> sent = {{false, "\x08\x01"}, {false, ""}, {true, "zz"}};
  const auto got = DecodeGrpcFrames(Stream(sent));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, sent);
}

TEST(Decode, ZeroLengthMessagesAreMessages) {
  // An empty protobuf message (every field at its default) is zero bytes, so
  // a call may well carry `00 00 00 00 00` (frame 22 of getuser-frames.txt).
  const auto three = DecodeGrpcFrames(Bytes({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  ASSERT_TRUE(three.ok()) << three.status();
  EXPECT_EQ(three->size(), 3u) << "three empty messages";
  const auto none = DecodeGrpcFrames("");
  ASSERT_TRUE(none.ok()) << "no bytes at all is a call with no message: " << none.status();
  EXPECT_TRUE(none->empty());
}

RC_GTEST_PROP(Decode, AnyMessagesComeBackInOrder, ()) {
  const auto sent = *rc::gen::container<std::vector<GrpcMessage>>(AnyMessage());
  const auto got = DecodeGrpcFrames(Stream(sent));
  RC_ASSERT(got.status().ToString() == "OK");
  RC_ASSERT(*got == sent);
}

TEST(Decode, BytesThatEndInsideAPrefixAreAnError) {
  for (std::size_t cut = 1; cut < 5; ++cut) {
    const auto got = DecodeGrpcFrames(Bytes({0, 0, 0, 0, 1}).substr(0, cut));
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument)
        << "only " << cut << " of the 5 prefix bytes: " << got.status();
  }
}

RC_GTEST_PROP(Decode, APrefixThatPromisesMoreThanArrivesIsAnError, ()) {
  auto sent = *rc::gen::nonEmpty(rc::gen::container<std::vector<GrpcMessage>>(AnyMessage()));
  const std::string stream = Stream(sent);
  // Cut off 1 byte up to all but the first byte of the last prefixed message
  // (cutting all of it would leave a shorter, valid stream).
  const std::size_t last = 5 + sent.back().bytes.size();
  const std::size_t cut = *rc::gen::inRange<std::size_t>(1, last);
  const auto got = DecodeGrpcFrames(stream.substr(0, stream.size() - cut));
  RC_ASSERT(got.status().code() == absl::StatusCode::kInvalidArgument);
}

TEST(Decode, AFlagOtherThanZeroOrOneIsAnError) {
  const auto got = DecodeGrpcFrames(Bytes({2, 0, 0, 0, 1, 'x'}));
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << got.status();
}

TEST(Decode, AMessageOverTheLimitIsResourceExhausted) {
  // A prefix that announces 4 GiB - 1 and nothing after it: refuse it for its
  // size (do not report it as merely cut short, and never allocate it).
  const auto huge = DecodeGrpcFrames(Bytes({0, 0xFF, 0xFF, 0xFF, 0xFF}));
  EXPECT_EQ(huge.status().code(), absl::StatusCode::kResourceExhausted) << huge.status();
  // The limit itself is allowed; one byte more is not.
  const auto at_limit = DecodeGrpcFrames(Prefixed({false, std::string(16, 'x')}), 16);
  EXPECT_TRUE(at_limit.ok()) << "16 bytes with a limit of 16: " << at_limit.status();
  const auto over = DecodeGrpcFrames(Prefixed({false, std::string(17, 'x')}), 16);
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted) << over.status();
}

// The DATA frames of getuser-frames.txt, in order: their bytes in hex on the
// lines that follow a `DATA` line.
std::vector<std::string> RecordedDataFrames() {
  std::ifstream file(std::string(LESSON_SOURCE_DIR) + "/lessons/11-http2/getuser-frames.txt");
  std::vector<std::string> frames;
  bool in_data = false;
  for (std::string line; std::getline(file, line);) {
    if (line.find("> DATA") != std::string::npos || line.find("<- DATA") != std::string::npos) {
      frames.emplace_back();
      in_data = true;
      continue;
    }
    // Bytes stand on indented lines; frame lines start at the margin.
    std::istringstream words(line);
    std::string word;
    bool any = false;
    while (in_data && line.rfind("      ", 0) == 0 && words >> word && word.size() == 2 &&
           std::isxdigit(static_cast<unsigned char>(word[0])) &&
           std::isxdigit(static_cast<unsigned char>(word[1]))) {
      frames.back() += static_cast<char>(std::stoi(word, nullptr, 16));
      any = true;
    }
    in_data = in_data && any;
  }
  return frames;
}

TEST(Decode, TheRecordedCallsDecode) {
  const std::vector<std::string> frames = RecordedDataFrames();
  ASSERT_EQ(frames.size(), 3u) << "getuser-frames.txt has three DATA frames (4, 13, 22)";

  const auto request = DecodeGrpcFrames(frames[0]);
  ASSERT_TRUE(request.ok()) << "frame 4: " << request.status();
  ASSERT_EQ(request->size(), 1u);
  course::v1::GetUserRequest get;
  ASSERT_TRUE(get.ParseFromString(request->front().bytes));
  EXPECT_EQ(get.id(), 1);

  const auto response = DecodeGrpcFrames(frames[1]);
  ASSERT_TRUE(response.ok()) << "frame 13: " << response.status();
  ASSERT_EQ(response->size(), 1u);
  course::v1::User user;
  ASSERT_TRUE(user.ParseFromString(response->front().bytes));
  EXPECT_EQ(user.id(), 1);
  EXPECT_EQ(user.name(), "Seed User 1");
  EXPECT_EQ(user.email(), "user1@seed.example");

  const auto empty = DecodeGrpcFrames(frames[2]);
  ASSERT_TRUE(empty.ok()) << "frame 22: " << empty.status();
  ASSERT_EQ(empty->size(), 1u) << "one zero-length message: GetUserRequest{id: 0}";
  EXPECT_TRUE(empty->front().bytes.empty());
}

// --- task 3: a decoder fed DATA frame by DATA frame ------------------------

TEST(StreamingDecoder, AMessageSplitAcrossDataFrames) {
  GrpcFrameDecoder decoder;
  const auto first = decoder.Feed(Bytes({0, 0}));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_TRUE(first->empty()) << "2 bytes of a prefix complete no message";
  EXPECT_EQ(decoder.buffered(), 2u);
  const auto second = decoder.Feed(Bytes({0, 0, 3, 'a'}));
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->empty()) << "1 of 3 message bytes complete no message";
  EXPECT_EQ(decoder.buffered(), 6u);
  const auto third = decoder.Feed("bc");
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(*third, (std::vector<GrpcMessage>{{false, "abc"}}));
  EXPECT_EQ(decoder.buffered(), 0u);
  EXPECT_TRUE(decoder.Finish().ok()) << decoder.Finish();
}

TEST(StreamingDecoder, EachMessageComesOutAsSoonAsItIsComplete) {
  GrpcFrameDecoder decoder;
  const std::string second = Prefixed({false, "second"});
  const auto got = decoder.Feed(Prefixed({false, "first"}) + second.substr(0, 3));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, (std::vector<GrpcMessage>{{false, "first"}}))
      << "do not wait for the next message to hand out this one";
  EXPECT_EQ(decoder.buffered(), 3u);
}

RC_GTEST_PROP(StreamingDecoder, AnySplitIntoDataFramesGivesTheSameMessages, ()) {
  const auto sent = *rc::gen::container<std::vector<GrpcMessage>>(AnyMessage());
  const std::string stream = Stream(sent);
  auto cuts = *rc::gen::container<std::vector<std::size_t>>(
      rc::gen::inRange<std::size_t>(0, stream.size() + 1));
  cuts.push_back(0);
  cuts.push_back(stream.size());
  std::sort(cuts.begin(), cuts.end());
  GrpcFrameDecoder decoder;
  std::vector<GrpcMessage> got;
  for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
    const auto part = decoder.Feed(stream.substr(cuts[i], cuts[i + 1] - cuts[i]));
    RC_ASSERT(part.status().ToString() == "OK");
    got.insert(got.end(), part->begin(), part->end());
  }
  RC_ASSERT(got == sent);
  RC_ASSERT(decoder.buffered() == 0u);
  RC_ASSERT(decoder.Finish().ToString() == "OK");
}

TEST(StreamingDecoder, OneByteAtATime) {
  const std::vector<GrpcMessage> sent = {{false, "\x08\x01"}, {false, ""}, {true, "zz"}};
  GrpcFrameDecoder decoder;
  std::vector<GrpcMessage> got;
  for (char byte : Stream(sent)) {
    const auto part = decoder.Feed(std::string(1, byte));
    ASSERT_TRUE(part.ok()) << part.status();
    got.insert(got.end(), part->begin(), part->end());
  }
  EXPECT_EQ(got, sent);
  EXPECT_TRUE(decoder.Finish().ok()) << decoder.Finish();
}

TEST(StreamingDecoder, FinishingInsideAMessageIsAnError) {
  GrpcFrameDecoder decoder;
  const auto got = decoder.Feed(Bytes({0, 0, 0, 0, 10, 'a', 'b', 'c'}));
  ASSERT_TRUE(got.ok()) << "a message still arriving is not an error yet: " << got.status();
  EXPECT_EQ(decoder.Finish().code(), absl::StatusCode::kInvalidArgument)
      << "END_STREAM with 7 of 10 message bytes missing: " << decoder.Finish();
}

TEST(StreamingDecoder, AnOversizedPrefixIsRefusedBeforeItsBytesArrive) {
  GrpcFrameDecoder decoder;                                           // limit 4 MiB
  const auto got = decoder.Feed(Bytes({0, 0x01, 0x00, 0x00, 0x00}));  // 16 MiB announced
  EXPECT_EQ(got.status().code(), absl::StatusCode::kResourceExhausted)
      << "the prefix alone says the message is too big: " << got.status();
}

TEST(StreamingDecoder, AnErrorIsFinal) {
  GrpcFrameDecoder decoder;
  const auto bad = decoder.Feed(Bytes({7, 0, 0, 0, 0}));
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument) << bad.status();
  const auto after = decoder.Feed(Prefixed({false, "fine"}));
  EXPECT_EQ(after.status().code(), absl::StatusCode::kInvalidArgument)
      << "after a framing error the stream cannot be trusted: " << after.status();
  EXPECT_EQ(decoder.Finish().code(), absl::StatusCode::kInvalidArgument) << decoder.Finish();
}

}  // namespace
