// Lesson 01, Protocol Buffers: write the conversions declared in convert.h.
//
// Read lessons/01-protobuf/README.md first. Check your work with
//   ./course check 01
// Every function below returns a wrong default until you write it.
#include "convert.h"

#include <nlohmann/json.hpp>

namespace course::lesson01 {

v1::User ToProto(const domain::User& user) {
  // TODO(task 1): copy id, name and email into a v1::User with the
  //               generated setters (message.set_id(...), ...).
  (void)user;
  return v1::User();
}

domain::User FromProto(const v1::User& message) {
  // TODO(task 1): the other way round, with the getters (message.id(), ...).
  (void)message;
  return domain::User();
}

std::string Encode(const domain::User& user) {
  // TODO(task 2): let protobuf write the bytes: ToProto(user), then
  //               SerializeAsString().
  (void)user;
  return "";
}

absl::StatusOr<domain::User> Decode(std::string_view bytes) {
  // TODO(task 2): parse a v1::User from the bytes (ParseFromArray). When it
  //               returns false, return absl::InvalidArgumentError(...);
  //               otherwise FromProto(...).
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
  // TODO(task 5): build {"id":...,"name":"...","email":"..."} with
  //               nlohmann::ordered_json and return json.dump().
  (void)user;
  return "{}";
}

}  // namespace course::lesson01
