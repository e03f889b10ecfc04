// The pieces of the server suite (server.cc) that live in files of their own:
// reflection (S2) in server_reflection.cc, the process contract (S4) in
// server_process.cc. Only the server suite includes this header.
#ifndef COURSE_HARNESS_SUITES_SERVER_PARTS_H_
#define COURSE_HARNESS_SUITES_SERVER_PARTS_H_

#include <string>
#include <vector>

#include "core/check.h"

namespace course::harness::server_suite {

inline constexpr char kUserService[] = "course.v1.UserService";
inline constexpr char kChatService[] = "course.v1.ChatService";

// The target's address for a command to paste, or HOST:PORT when it has none.
std::string AddressOrPlaceholder(CheckContext& ctx);

void AddReflectionChecks(std::vector<CheckDef>& checks);  // S2
// S4. The last of them stops the server, so nothing may be added after it.
void AddProcessChecks(std::vector<CheckDef>& checks);

}  // namespace course::harness::server_suite

#endif  // COURSE_HARNESS_SUITES_SERVER_PARTS_H_
