// Deliberate faults, for proving that every conformance check can fail.
//
// In the reference server COURSE_FAULT(...) is the constant `false` and the
// faulty branches compile away. The mutant server (harness/selftest) builds
// these same sources with COURSE_MUTANTS defined and switches on one fault
// with `--break RULE`, so each mutant breaks exactly one rule of the
// contract and is otherwise the reference.
#ifndef COURSE_REFERENCE_SERVICE_FAULTS_H_
#define COURSE_REFERENCE_SERVICE_FAULTS_H_

#ifdef COURSE_MUTANTS
#include <string>
namespace course::faults {
// Every fault name the mutant server knows, with what it breaks.
const char* const* Catalogue();
// Switches on one fault; false when the name is unknown.
bool Select(const std::string& name);
bool Active(const char* name);
}  // namespace course::faults
#define COURSE_FAULT(name) (::course::faults::Active(name))
#else
#define COURSE_FAULT(name) false
#endif

#endif  // COURSE_REFERENCE_SERVICE_FAULTS_H_
