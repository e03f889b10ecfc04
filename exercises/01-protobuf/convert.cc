// Lesson 01, Protocol Buffers: write the conversions declared in convert.h.
//
// Read lessons/01-protobuf/README.md first. Check your work with
//   ./course check 01
// Every function below returns a wrong default until you write it.
#include "convert.h"

#include <nlohmann/json.hpp>

namespace course::lesson01 {

v1::User ToProto(const domain::User& user) {
  // TODO(task 1): a v1::User holding the same id, name and email (the
  //               generated class has a setter per field).
  (void)user;
  return v1::User();
}

domain::User FromProto(const v1::User& message) {
  // TODO(task 1): the other way round: a domain::User from the message.
  (void)message;
  return domain::User();
}

std::string Encode(const domain::User& user) {
  // TODO(task 2): the bytes protobuf itself writes for this user.
  (void)user;
  return "";
}

absl::StatusOr<domain::User> Decode(std::string_view bytes) {
  // TODO(task 2): the user these bytes encode; bytes protobuf cannot parse
  //               (cut short, malformed, a name that is not UTF-8) are an
  //               INVALID_ARGUMENT error.
  (void)bytes;
  return absl::UnimplementedError("TODO(task 2): Decode");
}

std::string EncodeVarint(std::uint64_t value) {
  // TODO(task 3): seven bits per byte, the lowest seven first; set the top
  //               bit (0x80) on every byte except the last one.
  (void)value;
  return "";
}

std::string EncodeTag(int field_number, WireType type) {
  // TODO(task 3): a tag is the varint of (field_number << 3) | wire type.
  (void)field_number;
  (void)type;
  return "";
}

std::string EncodeUserByHand(const domain::User& user) {
  // TODO(task 4): with EncodeTag and EncodeVarint, write what protobuf
  //               writes: field 1 (id) as a varint, fields 2 and 3 (name,
  //               email) as tag + length + bytes, in field-number order,
  //               skipping every field that holds its default (0 or "").
  (void)user;
  return "";
}

std::string ToJson(const domain::User& user) {
  // TODO(task 5): the user as a JSON object with the keys id, name and
  //               email, in that order, with no spaces.
  (void)user;
  return "{}";
}

}  // namespace course::lesson01
