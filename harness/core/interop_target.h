// The reference server with gRPC's interop test service as well (as its
// `--interop` flag does), for the interop suite. Kept out of target.h, which
// nearly every file of the harness includes.
#ifndef COURSE_HARNESS_CORE_INTEROP_TARGET_H_
#define COURSE_HARNESS_CORE_INTEROP_TARGET_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/target.h"

namespace course::harness {

// In this process without a socket (`in_process`), or on 127.0.0.1 with a
// free port.
absl::StatusOr<std::unique_ptr<Target>> MakeInteropReference(bool in_process,
                                                             const std::string& token = "");

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_INTEROP_TARGET_H_
