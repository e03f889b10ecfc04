// Field rules of the course contract (C1, H1), independent of gRPC.
#ifndef COURSE_REFERENCE_DOMAIN_VALIDATION_H_
#define COURSE_REFERENCE_DOMAIN_VALIDATION_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace course::domain {

inline constexpr std::size_t kMaxNameBytes = 100;
inline constexpr std::size_t kMaxEmailBytes = 254;
inline constexpr std::size_t kMaxRoomBytes = 64;
inline constexpr std::size_t kMaxTextBytes = 4096;

// Why a value breaks its rule, or nullopt when it is fine.
std::optional<std::string> NameProblem(std::string_view name);
std::optional<std::string> EmailProblem(std::string_view email);

// The key under which emails are unique: ASCII letters lower-cased, every
// other byte kept (C3).
std::string FoldEmail(std::string_view email);

// An INVALID_ARGUMENT status that names the offending request field, so the
// RPC layer can turn it into a google.rpc.BadRequest detail.
absl::Status FieldError(std::string_view field, std::string_view description);
// The field named by a FieldError status, if any.
std::optional<std::string> FieldOf(const absl::Status& status);

}  // namespace course::domain

#endif  // COURSE_REFERENCE_DOMAIN_VALIDATION_H_
