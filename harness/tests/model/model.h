// A model-based property test of UserService (rules C1-C8, G1-G3, L1-L2),
// written with rapidcheck's rc::state.
//
// The model is what one client can know: the users it created itself (email
// key -> name, email), and the emails it sent in calls that failed or were
// cancelled, which must therefore still be free. The server may hold other
// users; the model never assumes an empty store and predicts only what the
// contract says about the users of this run.
//
// A run generates random call sequences (CreateUsers batches, some valid and
// some breaking C1 or C3, cancelled batches, GetUser, ListUsers), predicts
// each outcome from the model and the contract, and compares the status code
// (and the BadRequest field, the ALREADY_EXISTS email, the ids and the users
// returned) with what the server does. A failing sequence is shrunk to a
// short one and reported as a call sequence with an RC_PARAMS line that
// replays it.
#ifndef COURSE_HARNESS_TESTS_MODEL_MODEL_H_
#define COURSE_HARNESS_TESTS_MODEL_MODEL_H_

#include <grpcpp/grpcpp.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/target.h"

namespace course::harness {

// ---- The model ------------------------------------------------------------

// The shape of an email a command sends. Every email of a run embeds a tag
// unique to that run of the sequence ("m7.<tag>@model.example"), so no other
// client, and no earlier run, can have taken it.
enum class EmailShape {
  kValid,  // plain, or exactly 254 bytes for some keys (see RenderEmail)
  // Each of these breaks exactly one part of C1.
  kNoAt,
  kTwoAts,
  kEmptyLocal,
  kDomainWithoutDot,
  kDomainStartsWithDot,
  kDomainEndsWithDot,
  kEmptyDomain,
  kSpace,
  kTab,
  kTooLong,  // 255 bytes
};
inline constexpr int kEmailShapes = 11;

struct EmailSpec {
  int key = 0;  // which email of the run; equal keys fold to equal emails
  EmailShape shape = EmailShape::kValid;
  std::uint32_t case_seed = 0;  // non-zero: some ASCII letters upper-cased
};

// The email as sent. The same spec gives a valid email, or an invalid one,
// whatever the tag, so the model can judge it without knowing the tag; and
// outside the tag its letters have the same case whatever the tag, so a
// sequence shown with a stand-in tag reads as it was sent.
std::string RenderEmail(const EmailSpec& spec, const std::string& tag);

// What a CreateUsers request of a command is meant to exercise. The expected
// outcome never depends on it (it is computed from the request itself); it
// is kept for preconditions and for people.
enum class RequestKind {
  kFresh,             // valid, with an email of its own
  kBadName,           // empty or longer than 100 bytes (C1)
  kBadEmail,          // one of the broken EmailShapes (C1)
  kDuplicateStored,   // the email of a user of the model, other case (C3)
  kDuplicateInBatch,  // the email of an earlier request of the batch (C3)
  kReuseUnstored,     // an email of a failed or cancelled call (C4)
  kBadNameDuplicate,  // empty name and a taken email: C1 comes first (C8)
};

struct RequestSpec {
  RequestKind kind = RequestKind::kFresh;
  std::string name;  // always valid UTF-8, ASCII and multi-byte characters
  EmailSpec email;
};

struct ModelUser {
  int key = 0;  // the EmailSpec key, also how commands name this user
  std::string name;
  EmailSpec email;  // as sent when it was created
};

struct Model {
  std::vector<ModelUser> users;     // in creation order, so by increasing id
  std::vector<EmailSpec> unstored;  // valid emails that must still be free
  int next_key = 1;                 // the next fresh email key

  const ModelUser* FindUser(int key) const;
  // For RC_PRE: a bool, because rapidcheck cannot print a null pointer in a
  // failed comparison (it throws, and the shrinker silently gives up).
  bool HasUser(int key) const;
};

// The outcome the contract demands for one CreateUsers call, judged in stream
// order: C1 (name, then email), then C3; the first failure ends the call (C8).
struct CreateExpectation {
  grpc::StatusCode code = grpc::StatusCode::OK;
  int index = -1;      // the request that ends the call, when not OK
  std::string field;   // INVALID_ARGUMENT: "users[i].name" or "users[i].email"
  std::string email;   // ALREADY_EXISTS: the message must contain it
  std::string rule;    // "C2", "C3", or "C5" for OK ("C6" when empty)
  std::string reason;  // a sentence for people
};

CreateExpectation ExpectCreate(const Model& model, const std::vector<RequestSpec>& requests,
                               const std::string& tag);

// C1, from the contract's words (independent of the reference's code).
bool NameFollowsC1(const std::string& name);
bool EmailFollowsC1(const std::string& email);

// ---- The runner -----------------------------------------------------------

struct ModelOptions {
  int sequences = 100;  // rapidcheck max_success
  // Bounds the number of calls per sequence (rapidcheck max_size: a sequence
  // has at most max_size + 1 commands). Batch contents do not depend on it.
  int max_size = 30;
  std::uint64_t seed = 0;  // 0: a seed from the clock (the report names it)
  std::chrono::milliseconds rpc_deadline{5000};
  // When the environment has RC_PARAMS (for example the reproduce line of a
  // report), it decides seed, sizes and the case to replay.
  bool honour_rc_params = true;
  // The same, given directly ("seed=1 reproduce=..."); wins over both.
  std::string rc_params;
};

struct ModelRunResult {
  bool ok = false;
  int sequences_passed = 0;
  std::uint64_t seed = 0;
  // For people: on success a one-line summary with the seed and a tally of
  // the outcomes exercised; on failure the shrunk call sequence, what went
  // wrong, and RC_PARAMS lines that replay it.
  std::string report;
  std::string rc_params;             // replays the failing case; empty on success
  std::map<std::string, int> tally;  // calls made, by expected outcome
};

// Runs the property against `target`. Every RPC has options.rpc_deadline.
ModelRunResult RunModelProperty(Target& target, const ModelOptions& options);

}  // namespace course::harness

#endif  // COURSE_HARNESS_TESTS_MODEL_MODEL_H_
