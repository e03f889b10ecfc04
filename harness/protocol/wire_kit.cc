#include "protocol/wire_kit.h"

#include "absl/strings/str_cat.h"

namespace course::harness::protocol {

wire::Headers LiveHeaders(CheckContext& ctx, Wire& w, const LiveMethod& method,
                          const wire::Headers& extra) {
  wire::Headers more = MetadataHeaders(ctx);
  if (method.server_streaming) {
    more.emplace_back("grpc-timeout", absl::StrCat(ctx.rpc_deadline().count() / 2, "m"));
  }
  more.insert(more.end(), extra.begin(), extra.end());
  return w.Request(method.path, more);
}

Wire::Call CallLive(Wire& w, const LiveMethod& method, std::vector<std::string> frames,
                    const wire::Headers& extra) {
  return CallLiveOn(w, w.Connect(), method, std::move(frames), extra);
}

Wire::Call CallLiveOn(Wire& w, wire::H2Client& c, const LiveMethod& method,
                      std::vector<std::string> frames, const wire::Headers& extra) {
  return w.ExchangeOn(c, LiveHeaders(w.ctx(), w, method, extra), std::move(frames), w.Deadline());
}

int EndedWithStatus(Wire& w, const Wire::Call& call, const std::string& what,
                    const std::string& hint) {
  CheckContext& ctx = w.ctx();
  ctx.Expect(call.ended,
             absl::StrCat(what, ": the stream did not end within ",
                          wire_suite::Millis(ctx.rpc_deadline())),
             "the call ends with grpc-status in trailers", hint);
  const std::optional<int> status = wire_suite::GrpcStatus(call.r());
  ctx.Expect(status.has_value(),
             absl::StrCat(what, ": the stream ended without grpc-status in its last HEADERS",
                          call.r().reset_code ? " (it was reset)" : ""),
             "grpc-status in trailers", hint);
  return *status;
}

std::string Ending(const Wire::Call& call) {
  const std::optional<int> status = wire_suite::GrpcStatus(call.r());
  if (status) {
    const std::string message = wire::Value(call.r().header_blocks.back(), "grpc-message");
    return absl::StrCat("grpc-status ", *status,
                        message.empty() ? "" : absl::StrCat(" \"", message, "\""));
  }
  if (call.r().reset_code) return absl::StrCat("RST_STREAM error ", *call.r().reset_code);
  return call.ended ? "an end without grpc-status" : "no end";
}

}  // namespace course::harness::protocol
