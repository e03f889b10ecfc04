// The suites `course conform --suite NAME` can run. Each is a list of checks
// for the one engine (core/runner.h); they differ in what they assume of the
// server: the course contract, nothing but gRPC itself, or gRPC's interop
// test service.
#ifndef COURSE_HARNESS_SUITES_SUITES_H_
#define COURSE_HARNESS_SUITES_SUITES_H_

#include <functional>
#include <string>
#include <vector>

#include "core/check.h"

namespace course::harness {

struct SuiteSpec {
  std::string name;     // "course", "protocol", "interop"
  std::string summary;  // one line for --help and for an unknown name
  std::function<std::vector<CheckDef>()> checks;
};

// Every suite, in the order a run with several of them takes them.
const std::vector<SuiteSpec>& AllSuites();
// The suite called `name`, or nullptr.
const SuiteSpec* FindSuite(const std::string& name);

// The protocol suite: gRPC's rules checked on any service (harness/protocol).
std::vector<CheckDef> ProtocolChecks();
// gRPC's interop test cases (suites/interop/), ids `interop.<case_name>`.
std::vector<CheckDef> InteropChecks();

}  // namespace course::harness

#endif  // COURSE_HARNESS_SUITES_SUITES_H_
