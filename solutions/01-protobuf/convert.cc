// Lesson 01, Protocol Buffers: solved.
#include "convert.h"

#include <climits>
#include <nlohmann/json.hpp>

namespace course::lesson01 {

// Task 1. The generated class has a setter and a getter per field; proto3
// scalars have no "unset" state, so a copy is a plain field-by-field move.
v1::User ToProto(const domain::User& user) {
  v1::User message;
  message.set_id(user.id);
  message.set_name(user.name);
  message.set_email(user.email);
  return message;
}

domain::User FromProto(const v1::User& message) {
  return domain::User{message.id(), message.name(), message.email()};
}

// Task 2. SerializeAsString writes the fields in field-number order and
// leaves out every field that holds its default (0, ""), so an empty user
// is zero bytes.
std::string Encode(const domain::User& user) { return ToProto(user).SerializeAsString(); }

absl::StatusOr<domain::User> Decode(std::string_view bytes) {
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    return absl::InvalidArgumentError("more bytes than one protobuf message may hold (2 GiB)");
  }
  v1::User message;
  // ParseFromArray fails on truncated or malformed input, and, because the
  // file says `syntax = "proto3"`, on a `string` field that is not UTF-8.
  // Unknown field numbers (written by a newer schema) are skipped and kept.
  if (!message.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError(
        "the bytes are not a course.v1.User (cut short, malformed, or a string that is not "
        "valid UTF-8)");
  }
  return FromProto(message);
}

// Task 3.
std::string EncodeVarint(std::uint64_t value) {
  std::string out;
  // Seven bits at a time, low bits first; the top bit says "more follows".
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
  return out;
}

std::string EncodeTag(int field_number, WireType type) {
  return EncodeVarint((static_cast<std::uint64_t>(field_number) << 3) |
                      static_cast<std::uint32_t>(type));
}

// Task 4.
std::string EncodeUserByHand(const domain::User& user) {
  std::string out;
  if (user.id != 0) {
    out += EncodeTag(1, WireType::kVarint);
    // An int32 is sign-extended to 64 bits first, so a negative id always
    // takes ten bytes (use sint32 for fields that are often negative).
    out += EncodeVarint(static_cast<std::uint64_t>(static_cast<std::int64_t>(user.id)));
  }
  // A string is length-delimited: tag, the byte count as a varint, the bytes.
  auto put_string = [&out](int field_number, const std::string& text) {
    if (text.empty()) return;  // proto3 does not send defaults
    out += EncodeTag(field_number, WireType::kLen);
    out += EncodeVarint(text.size());
    out += text;
  };
  put_string(2, user.name);
  put_string(3, user.email);
  return out;
}

// Task 5. ordered_json keeps the keys in the order of the schema; JSON pays
// for every field name and quote, in every message.
std::string ToJson(const domain::User& user) {
  nlohmann::ordered_json json;
  json["id"] = user.id;
  json["name"] = user.name;
  json["email"] = user.email;
  return json.dump();
}

}  // namespace course::lesson01
