#include "cli/service_flags.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/child_process.h"

namespace course::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// Debian's protoc writes every file and its imports into one
// FileDescriptorSet; without -I, each file's own folder is the import root.
absl::StatusOr<std::string> CompileProtos(const ServiceFlags& flags) {
  const std::filesystem::path out =
      std::filesystem::temp_directory_path() / absl::StrCat("course-protos-", getpid(), ".pb");
  std::vector<std::string> argv = {"protoc", "--include_imports",
                                   "--descriptor_set_out=" + out.string()};
  std::vector<std::string> includes = flags.include_dirs;
  if (includes.empty()) {
    for (const std::string& file : flags.proto_files) {
      const std::string dir = std::filesystem::path(file).parent_path().string();
      includes.push_back(dir.empty() ? "." : dir);
    }
  }
  for (const std::string& dir : includes) argv.push_back("-I" + dir);
  argv.insert(argv.end(), flags.proto_files.begin(), flags.proto_files.end());
  auto protoc = harness::ChildProcess::Spawn(argv);
  if (!protoc.ok()) return protoc.status();
  std::string how;
  const std::optional<int> code = (*protoc)->WaitExit(std::chrono::seconds(60), &how);
  if (code != 0) {
    if (!code) (*protoc)->KillGroup();
    return absl::InvalidArgumentError(absl::StrCat("protoc could not compile ",
                                                   absl::StrJoin(flags.proto_files, " "), " (", how,
                                                   "):\n", (*protoc)->StderrTail()));
  }
  absl::StatusOr<std::string> set = ReadFile(out.string());
  std::error_code ignored;
  std::filesystem::remove(out, ignored);
  return set;
}

}  // namespace

void ServiceFlags::AddTo(CLI::App* app) {
  app->add_option("--proto", proto_files,
                  "protocol suite: a .proto of the service, when reflection is off (repeatable)")
      ->check(CLI::ExistingFile);
  app->add_option("-I,--proto-path", include_dirs, "import folder for --proto (repeatable)")
      ->check(CLI::ExistingDirectory);
  app->add_option("--descriptor-set", descriptor_set,
                  "protocol suite: a FileDescriptorSet (protoc --include_imports) of the service")
      ->check(CLI::ExistingFile)
      ->excludes(app->get_option("--proto"));
  app->add_option("--call-method", call_methods,
                  "protocol suite: a method it may call, as package.Service/Method (glob, "
                  "repeatable); it calls none of the service's own methods otherwise");
  app->add_option("-H,--header", headers, "metadata for every call, 'key: value' (repeatable)");
}

absl::StatusOr<std::shared_ptr<const harness::ServiceOptions>> MakeServiceOptions(
    const ServiceFlags& flags) {
  auto options = std::make_shared<harness::ServiceOptions>();
  options->call_methods = flags.call_methods;
  for (const std::string& header : flags.headers) {
    const std::size_t colon = header.find(':', 1);  // (a name cannot be empty)
    std::string name = std::string(absl::StripAsciiWhitespace(header.substr(0, colon)));
    if (colon == std::string::npos || name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("-H wants 'key: value', not '", header, "'"));
    }
    std::string value = std::string(absl::StripAsciiWhitespace(header.substr(colon + 1)));
    options->metadata.emplace_back(absl::AsciiStrToLower(name), std::move(value));
  }
  if (!flags.descriptor_set.empty()) {
    absl::StatusOr<std::string> set = ReadFile(flags.descriptor_set);
    if (!set.ok()) return set.status();
    options->descriptor_set = *std::move(set);
    options->descriptor_source = absl::StrCat("--descriptor-set ", flags.descriptor_set);
  } else if (!flags.proto_files.empty()) {
    absl::StatusOr<std::string> set = CompileProtos(flags);
    if (!set.ok()) return set.status();
    options->descriptor_set = *std::move(set);
    options->descriptor_source = absl::StrCat("--proto ", absl::StrJoin(flags.proto_files, " "));
  }
  return options;
}

}  // namespace course::cli
