#include "domain/validation.h"

#include <algorithm>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace course::domain {
namespace {

// The payload key under which a FieldError records its field.
constexpr absl::string_view kFieldPayload = "type.course.dev/field";

// Debian builds absl with its own string_view type, distinct from std's.
absl::string_view AsAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

}  // namespace

std::optional<std::string> NameProblem(std::string_view name) {
  if (name.empty()) return "name must not be empty";
  if (name.size() > kMaxNameBytes) {
    return absl::StrCat("name is ", name.size(), " bytes; at most ", kMaxNameBytes, " are allowed");
  }
  return std::nullopt;
}

std::optional<std::string> EmailProblem(std::string_view email) {
  if (email.size() > kMaxEmailBytes) {
    return absl::StrCat("email is ", email.size(), " bytes; at most ", kMaxEmailBytes,
                        " are allowed");
  }
  if (std::any_of(email.begin(), email.end(), IsAsciiSpace)) {
    return std::string("email must not contain whitespace");
  }
  if (std::count(email.begin(), email.end(), '@') != 1) {
    return std::string("email must contain exactly one '@'");
  }
  const std::size_t at = email.find('@');
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.empty()) return std::string("email needs a name before the '@'");
  if (domain.find('.') == std::string_view::npos) {
    return std::string("email domain must contain a '.'");
  }
  if (domain.front() == '.' || domain.back() == '.') {
    return std::string("email domain must not start or end with '.'");
  }
  return std::nullopt;
}

std::string FoldEmail(std::string_view email) {
  std::string folded(email);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

absl::Status FieldError(std::string_view field, std::string_view description) {
  absl::Status status(absl::StatusCode::kInvalidArgument,
                      absl::StrCat(AsAbsl(field), ": ", AsAbsl(description)));
  status.SetPayload(kFieldPayload, absl::Cord(AsAbsl(field)));
  return status;
}

std::optional<std::string> FieldOf(const absl::Status& status) {
  absl::optional<absl::Cord> field = status.GetPayload(kFieldPayload);
  if (!field) return std::nullopt;
  return std::string(*field);
}

}  // namespace course::domain
