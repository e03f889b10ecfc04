// The flags that say which server a command talks to, shared by conform,
// call and bench, and the Target they make.
#ifndef COURSE_HARNESS_CLI_TARGET_FLAGS_H_
#define COURSE_HARNESS_CLI_TARGET_FLAGS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "core/target.h"

namespace course::cli {

struct TargetFlags {
  std::string target;
  std::string server_cmd;
  std::string token;
  bool tls = false;
  std::string ca;
  std::string server_name;
  std::string cert, key;  // a client certificate, for servers that ask for one
  int start_timeout_ms = 10000;
  // The built-in default also serves gRPC's interop test service (set by
  // `conform --suite interop`, not a flag of its own).
  bool interop = false;

  void AddTo(CLI::App* app);
};

// --target: a remote server; --server-cmd: a child process; neither: the
// built-in default, the reference server beside this binary (with a token,
// so that M2 is checked too).
absl::StatusOr<std::unique_ptr<harness::Target>> MakeTarget(TargetFlags& flags);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_TARGET_FLAGS_H_
