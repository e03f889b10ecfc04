#include "suites/interop/interop_kit.h"

#include "absl/strings/str_cat.h"
#include "core/describe.h"
#include "suites/suites.h"
#include "wire/wire_check_kit.h"

namespace course::harness {

std::vector<CheckDef> InteropChecks() {
  std::vector<CheckDef> checks;
  interop_suite::AddUnaryCases(checks);
  interop_suite::AddCompressionCases(checks);
  interop_suite::AddStreamingCases(checks);
  interop_suite::AddCancelCases(checks);
  return checks;
}

namespace interop_suite {

std::unique_ptr<grpc::testing::TestService::Stub> TestStub(CheckContext& ctx) {
  return grpc::testing::TestService::NewStub(ctx.target().Channel());
}

grpc::testing::Payload Zeros(int size) {
  grpc::testing::Payload payload;
  payload.set_type(grpc::testing::COMPRESSABLE);
  payload.set_body(std::string(static_cast<std::size_t>(size), '\0'));
  return payload;
}

SimpleRequest LargeRequest() {
  SimpleRequest request;
  request.set_response_size(kLargeResponseSize);
  *request.mutable_payload() = Zeros(kLargeRequestSize);
  return request;
}

StreamingOutputCallRequest OutputRequest(const std::vector<int>& sizes, int payload_size) {
  StreamingOutputCallRequest request;
  for (int size : sizes) request.add_response_parameters()->set_size(size);
  if (payload_size >= 0) *request.mutable_payload() = Zeros(payload_size);
  return request;
}

void ExpectZeros(CheckContext& ctx, const grpc::testing::Payload& payload, int size,
                 const std::string& what) {
  const std::string& body = payload.body();
  ctx.Expect(body.size() == static_cast<std::size_t>(size),
             absl::StrCat(what, ": the payload body has ", body.size(), " bytes"),
             absl::StrCat(size, " bytes"),
             "the body is exactly response_size (or the parameter's size) bytes");
  ctx.Expect(body.find_first_not_of('\0') == std::string::npos,
             absl::StrCat(what, ": the payload body is not all zeros"),
             "COMPRESSABLE payloads are zero bytes");
  ctx.Expect(payload.type() == grpc::testing::COMPRESSABLE,
             absl::StrCat(what, ": payload type ", static_cast<int>(payload.type())),
             "COMPRESSABLE (0)");
}

void ExpectOk(CheckContext& ctx, const grpc::Status& status, const std::string& what,
              const std::string& hint) {
  ctx.ExpectCode(status, grpc::StatusCode::OK, what, hint);
}

std::optional<std::vector<bool>> ResponseCompressedFlags(CheckContext& ctx,
                                                         const std::string& method,
                                                         const std::string& request,
                                                         std::string* why_not) {
  std::optional<wire_suite::Wire> wire;
  try {
    wire.emplace(ctx);
  } catch (const CheckSkipped& skipped) {
    *why_not = skipped.what();
    return std::nullopt;
  }
  wire::Headers extra = {{"grpc-accept-encoding", "identity,deflate,gzip"}};
  auto call = wire->Exchange(wire->Request("/grpc.testing.TestService/" + method, extra),
                             {wire::LengthPrefixed(request)});
  wire->ExpectStatus(call, wire_suite::kOk, absl::StrCat(method, " on the raw HTTP/2 wire"));
  auto messages = wire::SplitMessages(call.r().data);
  if (!messages.ok()) {
    ctx.Fail(
        absl::StrCat(method, ": the response's framing is broken: ", messages.status().message()),
        "length-prefixed messages");
  }
  std::vector<bool> flags;
  for (const wire::WireMessage& message : *messages) flags.push_back(message.compressed);
  return flags;
}

void Add(std::vector<CheckDef>& checks, const std::string& name, const std::string& title,
         std::function<void(CheckContext&)> body, Level level) {
  // The rule is the section of doc/interop-test-descriptions.md it checks.
  const std::string section = name.substr(0, name.find('.'));
  checks.push_back({"interop." + name, section, title, std::move(body), level});
}

}  // namespace interop_suite
}  // namespace course::harness
