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
