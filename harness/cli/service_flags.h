// The flags of the protocol suite (conform --suite protocol): where the
// service's descriptors come from, which of its methods may be called, and
// the metadata every call carries. They become harness::ServiceOptions.
#ifndef COURSE_HARNESS_CLI_SERVICE_FLAGS_H_
#define COURSE_HARNESS_CLI_SERVICE_FLAGS_H_

#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "core/service_options.h"

namespace course::cli {

struct ServiceFlags {
  std::vector<std::string> proto_files;
  std::vector<std::string> include_dirs;
  std::string descriptor_set;
  std::vector<std::string> call_methods;
  std::vector<std::string> headers;  // "key: value"

  void AddTo(CLI::App* app);
};

// Reads the descriptor set (or runs protoc on the .proto files) and parses
// the headers. An error is the person's to fix: a bad flag, a file protoc
// cannot compile.
absl::StatusOr<std::shared_ptr<const harness::ServiceOptions>> MakeServiceOptions(
    const ServiceFlags& flags);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_SERVICE_FLAGS_H_
