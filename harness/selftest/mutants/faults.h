// The catalogue of the mutant server's faults: one name per way of breaking a
// rule of the contract, each caught by a check listed in ../mutants.txt.
#ifndef COURSE_HARNESS_SELFTEST_MUTANTS_FAULTS_H_
#define COURSE_HARNESS_SELFTEST_MUTANTS_FAULTS_H_

#include <string_view>

namespace course::mutants {

struct FaultInfo {
  const char* name;  // the rule it breaks, suffixed when a rule can break in two ways
  const char* what;  // what the mutant does wrong
};

// Every fault, in the order of the contract; ends with {nullptr, nullptr}.
const FaultInfo* Catalogue();
// Whether `name` is in the catalogue.
bool IsKnownFault(std::string_view name);

}  // namespace course::mutants

#endif  // COURSE_HARNESS_SELFTEST_MUTANTS_FAULTS_H_
