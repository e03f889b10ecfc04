// The conformance suites `course conform --suite NAME` can run, in order:
// the course contract (the default), and gRPC's interop cases. Each suite's
// checks go through the same engine (core/runner.h) and the same reports.
#ifndef COURSE_HARNESS_SUITES_SUITES_H_
#define COURSE_HARNESS_SUITES_SUITES_H_

#include <functional>
#include <string>
#include <vector>

#include "core/check.h"

namespace course::harness {

struct SuiteSpec {
  std::string name;     // "course", "interop"
  std::string summary;  // one line for --help and the error of an unknown name
  std::function<std::vector<CheckDef>()> checks;
};

// Every suite, in a stable order ("course" first).
const std::vector<SuiteSpec>& AllSuites();
// The suite called `name`, or nullptr.
const SuiteSpec* FindSuite(const std::string& name);

// gRPC's interop test cases (suites/interop/), ids `interop.<case_name>`.
std::vector<CheckDef> InteropChecks();

}  // namespace course::harness

#endif  // COURSE_HARNESS_SUITES_SUITES_H_
