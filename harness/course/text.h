// Small text helpers the course layer and the command line share.
#ifndef COURSE_HARNESS_COURSE_TEXT_H_
#define COURSE_HARNESS_COURSE_TEXT_H_

#include <filesystem>
#include <string>
#include <vector>

namespace course::lessons {

// The whole file, or "" when it cannot be read.
std::string ReadFile(const std::filesystem::path& path);

// Whether `name` matches one of the shell glob `patterns`.
bool MatchesAny(const std::string& name, const std::vector<std::string>& patterns);

// The first `count` lines of a build log from the first line that mentions
// an error, each indented by `indent`; the log's head when none does.
std::string FirstErrorLines(const std::string& log, int count, const std::string& indent = "");

// Whether standard output is a terminal that wants colour (NO_COLOR unset).
bool ColorTerminal();
// `code` when colouring, "" otherwise.
const char* Paint(bool color, const char* code);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_TEXT_H_
