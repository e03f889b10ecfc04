// What the protocol suite's checks share: calls that carry the run's -H
// metadata, names no server has, and the one live method the checks may
// call (grpc.health.v1.Health/Check when served, else a --call-method).
#ifndef COURSE_HARNESS_PROTOCOL_KIT_H_
#define COURSE_HARNESS_PROTOCOL_KIT_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/check.h"
#include "wire/h2_client.h"

namespace course::harness::protocol {

// A ClientContext with the run's deadline (or `deadline`) and metadata.
std::unique_ptr<grpc::ClientContext> NewCall(CheckContext& ctx,
                                             std::chrono::milliseconds deadline = {});
// The run's metadata as HTTP/2 request headers.
wire::Headers MetadataHeaders(CheckContext& ctx);

// A name no server has: `prefix` and a random tag.
std::string UnknownName(CheckContext& ctx, const std::string& prefix);

// A method the checks may call, and what its calls look like.
struct LiveMethod {
  std::string path;  // "/grpc.health.v1.Health/Check"
  bool client_streaming = false;
  bool server_streaming = false;
  std::string request;        // a serialized request (the default message)
  std::string response_type;  // "grpc.health.v1.HealthCheckResponse"
  // Whether bytes parse as the response type.
  std::function<bool(const std::string&)> parses;
};

// Whether the server answers grpc.health.v1.Health/Check (anything but
// UNIMPLEMENTED).
bool HealthServed(CheckContext& ctx);

// The live method, or a skip saying how to name one (--call-method).
LiveMethod PickLiveMethod(CheckContext& ctx);

// The run's --call-method globs against "package.Service/Method".
bool CallAllowed(CheckContext& ctx, const std::string& full_method);

void Add(std::vector<CheckDef>& checks, const char* id, const char* cites, const char* title,
         std::function<void(CheckContext&)> body, Level level = Level::kMust);

void AddReflectionChecks(std::vector<CheckDef>& checks);
void AddHealthChecks(std::vector<CheckDef>& checks);
void AddUnimplementedChecks(std::vector<CheckDef>& checks);
void AddWireResponseChecks(std::vector<CheckDef>& checks);
void AddWireRequestChecks(std::vector<CheckDef>& checks);
void AddTimeoutChecks(std::vector<CheckDef>& checks);
void AddConnectionChecks(std::vector<CheckDef>& checks);
// The check that stops the server: it must come last.
void AddLifecycleChecks(std::vector<CheckDef>& checks);

}  // namespace course::harness::protocol

#endif  // COURSE_HARNESS_PROTOCOL_KIT_H_
