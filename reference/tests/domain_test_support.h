// What the domain tests share: readable failure output for the domain's
// structs, and small predicates over ids.
#ifndef COURSE_REFERENCE_TESTS_DOMAIN_TEST_SUPPORT_H_
#define COURSE_REFERENCE_TESTS_DOMAIN_TEST_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <ostream>
#include <vector>

#include "domain/chat_hub.h"
#include "domain/user_store.h"

namespace course::domain {

// In the domain namespace, so that gtest finds them by argument lookup.
inline void PrintTo(const User& user, std::ostream* os) {
  *os << "{id " << user.id << ", \"" << user.name << "\", \"" << user.email << "\"}";
}
inline void PrintTo(const NewUser& user, std::ostream* os) {
  *os << "{\"" << user.name << "\", \"" << user.email << "\"}";
}
inline void PrintTo(const ChatMessage& message, std::ostream* os) {
  *os << "{room \"" << message.room << "\", sender \"" << message.sender << "\", text \""
      << message.text << "\", seq " << message.seq << "}";
}

inline bool StrictlyIncreasing(const std::vector<std::int32_t>& ids) {
  for (std::size_t i = 1; i < ids.size(); ++i) {
    if (ids[i] <= ids[i - 1]) return false;
  }
  return true;
}

}  // namespace course::domain

#endif  // COURSE_REFERENCE_TESTS_DOMAIN_TEST_SUPPORT_H_
