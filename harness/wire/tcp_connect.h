// The socket under the raw HTTP/2 client: a TCP connection made within a
// deadline, and the milliseconds left to a deadline for poll().
#ifndef COURSE_HARNESS_WIRE_TCP_CONNECT_H_
#define COURSE_HARNESS_WIRE_TCP_CONNECT_H_

#include <chrono>
#include <string>

#include "absl/status/statusor.h"

namespace course::wire {

// What is left of `deadline`, in milliseconds, between 0 and 60 s.
int RemainingMs(std::chrono::steady_clock::time_point deadline);

// A connected, non-blocking socket to HOST:PORT (an IPv6 host in brackets)
// with TCP_NODELAY set, or to unix:PATH; the caller owns it.
absl::StatusOr<int> ConnectTcp(const std::string& address,
                               std::chrono::steady_clock::time_point deadline);

}  // namespace course::wire

#endif  // COURSE_HARNESS_WIRE_TCP_CONNECT_H_
