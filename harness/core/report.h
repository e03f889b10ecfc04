// Results for people (grouped, first failure first) and for machines (JSON,
// JUnit XML).
#ifndef COURSE_HARNESS_CORE_REPORT_H_
#define COURSE_HARNESS_CORE_REPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "core/runner.h"

namespace course::harness {

struct RunSummary {
  int passed = 0;
  int failed = 0;  // includes errors, and known-failing checks that pass
  int skipped = 0;
  int known_failing = 0;  // failed as the list says: not counted as failed
  int warned = 0;         // SHOULD/INFO checks that did not hold: not failed
  double seconds = 0;
};

// A known-failing check that passes is itself a failure, so the list stays
// true; one that fails as listed is not.
bool CountsAsFailure(const CheckResult& result);
RunSummary Summarize(const std::vector<CheckResult>& results, double seconds);

// What a failing check found, for people: the message, then what was sent,
// what came back, what the rule expects, a hint and a command to try it.
std::string FindingText(const Finding& finding);

// `text` made safe inside XML or HTML, as element text or a quoted attribute:
// the five markup characters escaped, control characters XML forbids as `?`.
std::string MarkupEscape(const std::string& text);

// One line as a check finishes ("  PASS unary.get-user... (G1)").
void PrintProgress(std::ostream& out, const CheckResult& result, bool color);
// The failures in detail, then the warnings, then the closing line
// `N passed, M failed`. With `trace`, the HTTP/2 frames of each failing or
// warning check that recorded them.
void PrintSummary(std::ostream& out, const std::vector<CheckResult>& results,
                  const RunSummary& summary, const std::string& target, bool color,
                  bool trace = false);

std::string ToJson(const std::vector<CheckResult>& results, const RunSummary& summary,
                   const std::string& target, std::uint64_t seed);
std::string ToJunit(const std::vector<CheckResult>& results, const RunSummary& summary,
                    const std::string& suite_name);

// Writes `text` to `path` through a temporary file and a rename, so a reader
// never sees half a report.
absl::Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace course::harness

#endif  // COURSE_HARNESS_CORE_REPORT_H_
