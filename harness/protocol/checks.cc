// The protocol suite: gRPC's own rules, checked on any service. Each check's
// `rule` names the document (and section) it checks: gRPC's
// doc/PROTOCOL-HTTP2.md, doc/health-checking.md, doc/server-reflection.md,
// doc/compression.md, doc/statuscodes.md, or RFC 9113.
#include "protocol/kit.h"
#include "suites/suites.h"

namespace course::harness {

std::vector<CheckDef> ProtocolChecks() {
  std::vector<CheckDef> checks;
  protocol::AddReflectionChecks(checks);
  protocol::AddHealthChecks(checks);
  protocol::AddUnimplementedChecks(checks);
  protocol::AddWireResponseChecks(checks);
  protocol::AddWireRequestChecks(checks);
  protocol::AddTimeoutChecks(checks);
  protocol::AddConnectionChecks(checks);
  protocol::AddLifecycleChecks(checks);  // stops the server: last
  return checks;
}

}  // namespace course::harness
