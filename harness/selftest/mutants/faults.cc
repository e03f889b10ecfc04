#include "mutants/faults.h"

namespace course::mutants {
namespace {

constexpr FaultInfo kCatalogue[] = {
    {"G1", "GetUser answers NOT_FOUND for id <= 0"},
    {"G2", "NOT_FOUND messages do not name the id"},
    {"G3", "GetUser returns the email lower-cased"},
    {"C1", "names of exactly 100 bytes are refused"},
    {"C1-chars", "a name's length is counted in characters, not bytes"},
    {"C2", "BadRequest names users[i+1] instead of users[i]"},
    {"C3", "duplicate emails are compared case-sensitively within a stream"},
    {"C4", "a failed or cancelled batch keeps its valid requests"},
    {"C5", "ids come back in reverse order"},
    {"C6", "an empty stream is INVALID_ARGUMENT"},
    {"C7", "no limit on the number of requests"},
    {"C8", "uniqueness is judged before the fields"},
    {"L1", "a negative page_size is accepted"},
    {"L2", "after_id is inclusive"},
    {"L3", "the pause is a plain sleep that ignores cancellation"},
    {"L3-pool", "GetUser and ListUsers run on 256 workers; the pause is a plain sleep"},
    {"L3-thread", "each slow ListUsers sleeps on a thread of its own"},
    {"L3-buffer", "the whole page is produced before the first user is sent"},
    {"H1", "an empty text is accepted"},
    {"H2", "every message goes to every stream of every room"},
    {"H3", "the sender gets no echo"},
    {"H4", "every fourth message of a room reaches only its sender"},
    {"H5", "the call never ends after the client half-closes"},
    {"H6", "slow readers are never dropped"},
    {"M1", "x-request-id is never echoed"},
    {"M2", "any bearer token is accepted"},
    {"S1", "health does not know course.v1.ChatService"},
    {"S2", "reflection is off"},
    {"S2-undescribed", "reflection lists a service it cannot describe"},
    {"S3", "requests up to 64 MiB are accepted"},
    {"S4", "exits with status 3 after SIGTERM"},
    // gRPC's interop test service (served with any interop.* fault).
    {"interop.empty_unary", "EmptyCall answers INTERNAL"},
    {"interop.large_unary", "UnaryCall's payload is one byte short"},
    {"interop.client_compressed_unary", "a request marked expect_compressed is always refused"},
    {"interop.server_compressed_unary", "response_compressed is ignored"},
    {"interop.client_streaming", "aggregated_payload_size counts only the last message"},
    {"interop.client_compressed_streaming", "a message marked expect_compressed is refused"},
    {"interop.server_streaming", "the last response parameter is not answered"},
    {"interop.server_compressed_streaming", "every streamed response is compressed"},
    {"interop.ping_pong", "FullDuplexCall answers only after the half-close"},
    {"interop.empty_stream", "an empty FullDuplexCall still gets one response"},
    {"interop.cancel_after_begin", "a cancelled StreamingInputCall is never let go"},
    {"interop.cancel_after_first_response", "a cancelled FullDuplexCall is never let go"},
    {"interop.timeout_on_sleeping_server", "a timed-out FullDuplexCall is never let go"},
    {"interop.custom_metadata", "x-grpc-test-echo-initial is not echoed"},
    {"interop.status_code_and_message", "an echoed status comes back as INTERNAL"},
    {"interop.special_status_message", "an echoed status message loses its outer whitespace"},
    {"interop.unimplemented_method", "UnimplementedCall answers OK"},
    {"interop.unimplemented_service", "UnimplementedService/UnimplementedCall answers OK"},
    {"interop.rpc_soak", "from the sixth UnaryCall on, payloads are one byte short"},
    {"interop.channel_soak", "UnaryCall serves at most 3 connections"},
    {nullptr, nullptr},
};

}  // namespace

const FaultInfo* Catalogue() { return kCatalogue; }

bool IsKnownFault(std::string_view name) {
  for (const FaultInfo* fault = kCatalogue; fault->name != nullptr; ++fault) {
    if (name == fault->name) return true;
  }
  return false;
}

}  // namespace course::mutants
