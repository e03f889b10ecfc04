#include "course/text.h"

#include <fnmatch.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace course::lessons {
namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

bool MatchesAny(const std::string& name, const std::vector<std::string>& patterns) {
  for (const auto& pattern : patterns) {
    if (fnmatch(pattern.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

std::string FirstErrorLines(const std::string& log, int count, const std::string& indent) {
  std::istringstream lines(log);
  std::string out;
  int kept = 0;
  for (std::string line; std::getline(lines, line) && kept < count;) {
    if (kept > 0 || line.find("error") != std::string::npos) {
      absl::StrAppend(&out, indent, line, "\n");
      ++kept;
    }
  }
  return out.empty() ? log.substr(0, 2000) : out;
}

bool ColorTerminal() { return isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr; }

const char* Paint(bool color, const char* code) { return color ? code : ""; }

}  // namespace course::lessons
