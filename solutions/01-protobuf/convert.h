// Lesson 01, Protocol Buffers: a user as a plain C++ struct, as the generated
// message course::v1::User, as bytes on the wire, and as JSON.
//
// The functions are declared here and written in convert.cc; the lesson's
// tests (lessons/01-protobuf/convert_test.cc) say what each one must do.
#ifndef COURSE_LESSON_01_CONVERT_H_
#define COURSE_LESSON_01_CONVERT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "course/v1/course.pb.h"
#include "domain/user_store.h"

namespace course::lesson01 {

// Task 1: between the domain's struct and the generated message.
v1::User ToProto(const domain::User& user);
domain::User FromProto(const v1::User& message);

// Task 2: a user as the bytes protobuf puts on the wire, and back.
// Decode fails with INVALID_ARGUMENT when `bytes` are not a valid User
// (cut short, malformed, or a string field that is not UTF-8).
std::string Encode(const domain::User& user);
absl::StatusOr<domain::User> Decode(std::string_view bytes);

// Task 3: the two building blocks of the wire format, by hand.
// The wire types of the encoding (the low 3 bits of every tag).
enum class WireType : std::uint32_t { kVarint = 0, kI64 = 1, kLen = 2, kI32 = 5 };
// Base-128 varint: 7 bits per byte, least significant group first, the top
// bit set on every byte but the last.
std::string EncodeVarint(std::uint64_t value);
// A field's tag: the varint of (field_number << 3) | wire_type.
// field_number is 1..536870911 (2^29 - 1).
std::string EncodeTag(int field_number, WireType type);

// Task 4: a whole User by hand, byte for byte what protobuf writes.
std::string EncodeUserByHand(const domain::User& user);

// Task 5: the same user as the JSON object a REST API would send:
// {"id":1,"name":"...","email":"..."}.
std::string ToJson(const domain::User& user);

}  // namespace course::lesson01

#endif  // COURSE_LESSON_01_CONVERT_H_
