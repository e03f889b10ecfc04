// Matchers for absl::Status and absl::StatusOr in domain tests. HasCode and
// IsOk take an absl::Status: apply them to `.status()` of an absl::StatusOr.
#ifndef COURSE_REFERENCE_TESTS_STATUS_MATCHERS_H_
#define COURSE_REFERENCE_TESTS_STATUS_MATCHERS_H_

#include <string>
#include <type_traits>

#include "absl/status/status.h"
#include "gmock/gmock.h"

namespace course::testing {

// The status carries exactly this code (never just "not OK").
MATCHER_P(HasCode, code,
          std::string(negation ? "does not have" : "has") + " code " +
              ::testing::PrintToString(code)) {
  const absl::Status& status = arg;
  *result_listener << "whose status is " << status;
  return status.code() == code;
}

MATCHER(IsOk, std::string(negation ? "is not" : "is") + " OK") {
  const absl::Status& status = arg;
  *result_listener << "whose status is " << status;
  return status.ok();
}

// An OK absl::StatusOr whose value matches `value_matcher`.
MATCHER_P(
    IsOkAndHolds, value_matcher,
    std::string(negation ? "is not" : "is") + " OK with a value that " +
        ::testing::DescribeMatcher<typename std::decay_t<arg_type>::value_type>(value_matcher)) {
  if (!arg.ok()) {
    *result_listener << "whose status is " << arg.status();
    return false;
  }
  *result_listener << "whose value is " << ::testing::PrintToString(*arg);
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace course::testing

#endif  // COURSE_REFERENCE_TESTS_STATUS_MATCHERS_H_
