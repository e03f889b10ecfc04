// What the interop cases share: the stub, the sizes and requests of gRPC's
// interop test descriptions (doc/interop-test-descriptions.md in grpc/grpc),
// payload checks, and a look at the compressed flag on the raw wire.
#ifndef COURSE_HARNESS_SUITES_INTEROP_INTEROP_KIT_H_
#define COURSE_HARNESS_SUITES_INTEROP_INTEROP_KIT_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/check.h"
#include "grpc/testing/test.grpc.pb.h"

namespace course::harness::interop_suite {

using grpc::testing::SimpleRequest;
using grpc::testing::SimpleResponse;
using grpc::testing::StreamingInputCallRequest;
using grpc::testing::StreamingOutputCallRequest;
using grpc::testing::StreamingOutputCallResponse;

// The sizes the descriptions fix.
inline constexpr int kLargeRequestSize = 271828;
inline constexpr int kLargeResponseSize = 314159;

std::unique_ptr<grpc::testing::TestService::Stub> TestStub(CheckContext& ctx);

// `size` zero bytes of type COMPRESSABLE.
grpc::testing::Payload Zeros(int size);
// large_unary's request: response_size 314159, 271828 zero bytes.
SimpleRequest LargeRequest();
// A request for one response per size, with an optional request payload.
StreamingOutputCallRequest OutputRequest(const std::vector<int>& sizes, int payload_size = -1);

// Fails unless `payload` is `size` zero bytes of type COMPRESSABLE.
void ExpectZeros(CheckContext& ctx, const grpc::testing::Payload& payload, int size,
                 const std::string& what);
// Fails unless `status` is OK, showing what came back.
void ExpectOk(CheckContext& ctx, const grpc::Status& status, const std::string& what,
              const std::string& hint = "");

// The compressed flags of the response messages of one call, read on the
// raw HTTP/2 wire (gRPC's client libraries do not show them). nullopt, with
// `why_not`, when the target has no plaintext address to look at.
std::optional<std::vector<bool>> ResponseCompressedFlags(CheckContext& ctx,
                                                         const std::string& method,
                                                         const std::string& request,
                                                         std::string* why_not);

// Adds `interop.<name>`, citing the description's section `name`.
void Add(std::vector<CheckDef>& checks, const std::string& name, const std::string& title,
         std::function<void(CheckContext&)> body, Level level = Level::kMust);

void AddUnaryCases(std::vector<CheckDef>& checks);        // interop_unary.cc
void AddCompressionCases(std::vector<CheckDef>& checks);  // interop_compression.cc
void AddStreamingCases(std::vector<CheckDef>& checks);    // interop_streaming.cc
void AddCancelCases(std::vector<CheckDef>& checks);       // interop_cancel.cc

}  // namespace course::harness::interop_suite

#endif  // COURSE_HARNESS_SUITES_INTEROP_INTEROP_KIT_H_
