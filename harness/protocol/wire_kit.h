// The protocol suite on the raw HTTP/2 client: the live method's calls,
// byte by byte, with the run's metadata.
#ifndef COURSE_HARNESS_PROTOCOL_WIRE_KIT_H_
#define COURSE_HARNESS_PROTOCOL_WIRE_KIT_H_

#include <string>
#include <vector>

#include "protocol/kit.h"
#include "wire/grpc_wire.h"
#include "wire/wire_check_kit.h"

namespace course::harness::protocol {

using wire_suite::Wire;

// The request headers of a call to `method`, with the run's metadata and
// `extra`. A method that streams responses gets a grpc-timeout, so that its
// call ends even if the stream would not.
wire::Headers LiveHeaders(CheckContext& ctx, Wire& w, const LiveMethod& method,
                          const wire::Headers& extra = {});

// One call to `method` on a fresh connection (or on `c`), with these DATA
// frames; waits for the stream to end.
Wire::Call CallLive(Wire& w, const LiveMethod& method, std::vector<std::string> frames,
                    const wire::Headers& extra = {});
Wire::Call CallLiveOn(Wire& w, wire::H2Client& c, const LiveMethod& method,
                      std::vector<std::string> frames, const wire::Headers& extra = {});

// The grpc-status the call ended with; fails (naming `what`) when it did not
// end, or ended without one.
int EndedWithStatus(Wire& w, const Wire::Call& call, const std::string& what,
                    const std::string& hint = "");

// "grpc-status 5 \"message\"" or "RST_STREAM 8" or "no end": for people.
std::string Ending(const Wire::Call& call);

}  // namespace course::harness::protocol

#endif  // COURSE_HARNESS_PROTOCOL_WIRE_KIT_H_
