// Frames as text: the names, flags and notes of the frame log, and the
// parsing of raw bytes that SendRaw() wrote. The client itself is in
// h2_client.cc.
#include <nghttp2/nghttp2.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "wire/h2_client.h"
#include "wire/h2_frame_notes.h"

namespace course::wire {

std::string Hex(const std::string& bytes, std::size_t max) {
  std::string out;
  for (std::size_t i = 0; i < bytes.size() && i < max; ++i) {
    absl::StrAppendFormat(&out, "%s%02x", i == 0 ? "" : " ", static_cast<unsigned char>(bytes[i]));
  }
  if (bytes.size() > max) absl::StrAppend(&out, " ... (", bytes.size(), " bytes)");
  return out;
}

namespace {

std::string SettingName(std::int32_t id) {
  switch (id) {
    case NGHTTP2_SETTINGS_HEADER_TABLE_SIZE:
      return "HEADER_TABLE_SIZE";
    case NGHTTP2_SETTINGS_ENABLE_PUSH:
      return "ENABLE_PUSH";
    case NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS:
      return "MAX_CONCURRENT_STREAMS";
    case NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE:
      return "INITIAL_WINDOW_SIZE";
    case NGHTTP2_SETTINGS_MAX_FRAME_SIZE:
      return "MAX_FRAME_SIZE";
    case NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE:
      return "MAX_HEADER_LIST_SIZE";
    default:
      return absl::StrFormat("0x%x", id);
  }
}

}  // namespace

std::string ControlNote(const nghttp2_frame* frame) {
  switch (frame->hd.type) {
    case NGHTTP2_SETTINGS: {
      std::string note;
      for (std::size_t i = 0; i < frame->settings.niv; ++i) {
        absl::StrAppend(&note, i == 0 ? "" : " ", SettingName(frame->settings.iv[i].settings_id),
                        "=", frame->settings.iv[i].value);
      }
      return note;
    }
    case NGHTTP2_RST_STREAM:
      return absl::StrCat("error ", nghttp2_http2_strerror(frame->rst_stream.error_code));
    case NGHTTP2_GOAWAY:
      return absl::StrCat("last stream ", frame->goaway.last_stream_id, ", error ",
                          nghttp2_http2_strerror(frame->goaway.error_code),
                          frame->goaway.opaque_data_len > 0 ? ": " : "",
                          std::string(reinterpret_cast<const char*>(frame->goaway.opaque_data),
                                      frame->goaway.opaque_data_len));
    case NGHTTP2_WINDOW_UPDATE:
      return absl::StrCat("increment ", frame->window_update.window_size_increment);
    default:
      return "";
  }
}

std::string FrameTypeName(int type) {
  switch (type) {
    case kPrefaceType:
      return "PREFACE";
    case NGHTTP2_DATA:
      return "DATA";
    case NGHTTP2_HEADERS:
      return "HEADERS";
    case NGHTTP2_PRIORITY:
      return "PRIORITY";
    case NGHTTP2_RST_STREAM:
      return "RST_STREAM";
    case NGHTTP2_SETTINGS:
      return "SETTINGS";
    case NGHTTP2_PUSH_PROMISE:
      return "PUSH_PROMISE";
    case NGHTTP2_PING:
      return "PING";
    case NGHTTP2_GOAWAY:
      return "GOAWAY";
    case NGHTTP2_WINDOW_UPDATE:
      return "WINDOW_UPDATE";
    case NGHTTP2_CONTINUATION:
      return "CONTINUATION";
    default:
      return absl::StrFormat("UNKNOWN(0x%02x)", type);
  }
}

std::string FrameFlagsText(int type, std::uint8_t flags) {
  std::vector<std::string> names;
  const bool stream_ends = type == NGHTTP2_DATA || type == NGHTTP2_HEADERS;
  const bool acks = type == NGHTTP2_SETTINGS || type == NGHTTP2_PING;
  if (stream_ends && (flags & NGHTTP2_FLAG_END_STREAM)) names.push_back("END_STREAM");
  if (acks && (flags & NGHTTP2_FLAG_ACK)) names.push_back("ACK");
  if ((type == NGHTTP2_HEADERS || type == NGHTTP2_CONTINUATION || type == NGHTTP2_PUSH_PROMISE) &&
      (flags & NGHTTP2_FLAG_END_HEADERS)) {
    names.push_back("END_HEADERS");
  }
  if ((type == NGHTTP2_HEADERS || type == NGHTTP2_DATA) && (flags & NGHTTP2_FLAG_PADDED)) {
    names.push_back("PADDED");
  }
  if (type == NGHTTP2_HEADERS && (flags & NGHTTP2_FLAG_PRIORITY)) names.push_back("PRIORITY");
  std::string text;
  for (const std::string& name : names) absl::StrAppend(&text, text.empty() ? "" : "|", name);
  if (text.empty() && flags != 0) text = absl::StrFormat("0x%02x", flags);
  return text;
}

std::string FormatFrames(const std::vector<Frame>& frames, std::size_t max_data_bytes) {
  std::string out;
  for (const Frame& f : frames) {
    absl::StrAppend(&out, f.direction == Direction::kSent ? "-> " : "<- ", FrameTypeName(f.type));
    if (f.type == kPrefaceType) {
      absl::StrAppend(&out, " (", kMagicSize, " bytes, the client magic)\n");
      continue;
    }
    const std::string flags = FrameFlagsText(f.type, f.flags);
    if (!flags.empty()) absl::StrAppend(&out, " [", flags, "]");
    absl::StrAppend(&out, " stream ", f.stream_id, ", ", f.length, " bytes");
    if (f.raw) absl::StrAppend(&out, " (raw)");
    if (!f.note.empty()) absl::StrAppend(&out, ": ", f.note);
    absl::StrAppend(&out, "\n");
    for (const Header& header : f.headers) {
      absl::StrAppend(&out, "     ", header.first, ": ", header.second, "\n");
    }
    if (f.type == NGHTTP2_DATA && !f.data.empty()) {
      absl::StrAppend(&out, "     ", Hex(f.data, max_data_bytes));
      if (f.data.size() >= 5) {
        const auto* p = reinterpret_cast<const unsigned char*>(f.data.data());
        const std::uint32_t length =
            (std::uint32_t{p[1]} << 24) | (p[2] << 16) | (p[3] << 8) | p[4];
        absl::StrAppend(&out, "  (if a message starts here: compressed=", p[0], " length=", length,
                        ")");
      }
      absl::StrAppend(&out, "\n");
    }
  }
  return out;
}

std::vector<Frame> ParseRawFrames(const std::string& bytes, Direction direction) {
  std::vector<Frame> frames;
  std::size_t at = 0;
  if (bytes.compare(0, kMagicSize, kMagic) == 0) {
    Frame preface;
    preface.direction = direction;
    preface.type = kPrefaceType;
    preface.raw = true;
    frames.push_back(preface);
    at = kMagicSize;
  }
  while (at + 9 <= bytes.size()) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + at);
    Frame frame;
    frame.direction = direction;
    frame.raw = true;
    frame.length = (std::size_t{p[0]} << 16) | (p[1] << 8) | p[2];
    frame.type = p[3];
    frame.flags = p[4];
    frame.stream_id = static_cast<std::int32_t>(((std::uint32_t{p[5]} & 0x7f) << 24) |
                                                (p[6] << 16) | (p[7] << 8) | p[8]);
    if (at + 9 + frame.length > bytes.size()) break;
    frame.data = bytes.substr(at + 9, frame.length);
    frames.push_back(std::move(frame));
    at += 9 + frames.back().length;
  }
  if (at < bytes.size()) {
    Frame rest;
    rest.direction = direction;
    rest.raw = true;
    rest.type = 0x100;  // not a frame
    rest.note = absl::StrCat("bytes that are no HTTP/2 frame: \"", bytes.substr(at, 40),
                             bytes.size() - at > 40 ? "..." : "", "\"");
    rest.length = bytes.size() - at;
    frames.push_back(std::move(rest));
  }
  return frames;
}

std::optional<std::string> StreamResult::InitialHeader(const std::string& name) const {
  if (header_blocks.empty()) return std::nullopt;
  for (const Header& header : header_blocks.front()) {
    if (header.first == name) return header.second;
  }
  return std::nullopt;
}

const Headers* StreamResult::Trailers() const {
  if (header_blocks.size() < 2 || !block_ends_stream.back()) return nullptr;
  return &header_blocks.back();
}

bool StreamResult::TrailersOnly() const {
  return header_blocks.size() == 1 && block_ends_stream.front() && data_frames == 0;
}

std::vector<std::string> StreamResult::AllValues(const std::string& name) const {
  std::vector<std::string> values;
  for (const Headers& block : header_blocks) {
    for (const Header& header : block) {
      if (header.first == name) values.push_back(header.second);
    }
  }
  return values;
}

}  // namespace course::wire
