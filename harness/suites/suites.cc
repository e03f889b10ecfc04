#include "suites/suites.h"

namespace course::harness {

const std::vector<SuiteSpec>& AllSuites() {
  static const std::vector<SuiteSpec> suites = {
      {"course", "the course contract (course.v1), rule by rule", [] { return AllChecks(); }},
      {"protocol", "gRPC over HTTP/2 on any service: reflection, health, the wire, deadlines",
       [] { return ProtocolChecks(); }},
      {"interop",
       "gRPC's interop test cases against grpc.testing.TestService "
       "(doc/interop-test-descriptions.md)",
       [] { return InteropChecks(); }},
  };
  return suites;
}

const SuiteSpec* FindSuite(const std::string& name) {
  for (const SuiteSpec& suite : AllSuites()) {
    if (suite.name == name) return &suite;
  }
  return nullptr;
}

}  // namespace course::harness
