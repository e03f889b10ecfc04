// The parts of the model-based test (model.h) that its files share: the
// generators and display of requests (model_draw.cc), the system under test
// and the commands that write (model_writes.cc) and read (model_reads.cc).
// The contract side of the model is in model_contract.cc, the runner in
// model.cc.
#ifndef COURSE_HARNESS_TESTS_MODEL_MODEL_PARTS_H_
#define COURSE_HARNESS_TESTS_MODEL_MODEL_PARTS_H_

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "core/target.h"
#include "course/v1/course.grpc.pb.h"
#include "tests/model/model.h"

namespace course::harness::model_detail {

inline constexpr std::size_t kMaxNameBytes = 100;   // C1
inline constexpr std::size_t kMaxEmailBytes = 254;  // C1
inline constexpr char kDomain[] = "@model.example";
// Inside the model emails are judged with this tag in place of the run's:
// RenderEmail makes validity and case-folded equality independent of it.
inline constexpr char kModelTag[] = "model";
// How show() writes the tag, since a shrunk sequence runs with a new one.
inline constexpr char kShownTag[] = "$T";
// The id under which rapidcheck files this property's reproduce data.
// `text` with ASCII letters lower-cased: how C3 compares emails.
std::string Fold(std::string text);

// ---- Display --------------------------------------------------------------

// A quoted, escaped string; long ones are cut in the middle (on character
// boundaries) and their length in bytes is given.
std::string Quote(const std::string& text);
// A batch as sent, with the run's tag shown as kShownTag.
std::string ShowBatch(const std::vector<RequestSpec>& requests, const std::string& tag);
std::string ShowUser(const v1::User& user);

// ---- Generators -----------------------------------------------------------

// A uniform pick in [lo, hi) that shrinks towards lo. rapidcheck scales
// inRange with the test size; the size here only bounds sequence length, so
// values inside a command are drawn at full size.
int Uniform(int lo, int hi);

template <typename T>
T PickWeighted(const std::vector<std::pair<int, T>>& choices) {
  int total = 0;
  for (const auto& choice : choices) total += choice.first;
  int roll = Uniform(0, total);
  for (const auto& choice : choices) {
    if (roll < choice.first) return choice.second;
    roll -= choice.first;
  }
  return choices.back().second;
}

// A name C1 allows, of 1 to 100 bytes.
std::string ValidName();

// One request of a batch as drawn, before it meets the model. Draws do not
// depend on the model or on each other, so a batch is a rapidcheck container
// of them and shrinking can drop any one request of a batch.
struct RequestDraw {
  RequestKind kind = RequestKind::kFresh;
  std::string name;                       // invalid for kBadName and kBadNameDuplicate
  EmailShape shape = EmailShape::kValid;  // broken for kBadEmail
  int pick = 0;                           // which user, earlier request or unstored email to repeat
  std::uint32_t case_seed = 0;
};

// rapidcheck prints values it draws; a batch is shown by its command.
inline void showValue(const RequestDraw& draw, std::ostream& os) {
  os << "request of kind " << static_cast<int>(draw.kind);
}

RequestDraw DrawRequest();

// The request a draw stands for, given the model and the batch so far. A
// draw that needs what is not there (a duplicate with no users yet) becomes
// a request with an email of its own.
RequestSpec Resolve(const Model& model, const std::vector<RequestSpec>& earlier,
                    const RequestDraw& draw, int& next_key);

// Adds the valid emails of a call that stored nothing to model.unstored.
void RememberUnstored(Model& model, const std::vector<RequestSpec>& requests);

// ---- The system under test ------------------------------------------------

// Lives for the whole property run, across sequences and shrinks.
struct RunState {
  std::string stamp;  // unique to this run of the property
  int sequences = 0;
  std::int32_t max_id_seen = 0;  // C5: new ids must be greater
  std::map<std::string, int> tally;
};

// One per sequence: a fresh tag, so a sequence never meets the users of an
// earlier one, and the ids the server gave to this sequence's users.
class ModelSut {
 public:
  ModelSut(Target& target, v1::UserService::Stub& stub, RunState& run,
           std::chrono::milliseconds deadline)
      : target_(target),
        stub_(stub),
        run_(run),
        deadline_(deadline),
        tag_(absl::StrCat("r", run.stamp, "c", absl::Dec(++run.sequences, absl::kZeroPad6), "x")) {}

  v1::UserService::Stub& stub() { return stub_; }
  RunState& run() { return run_; }
  const std::string& tag() const { return tag_; }
  std::map<int, std::int32_t>& ids() { return ids_; }

  std::unique_ptr<grpc::ClientContext> NewCall(bool authorized) const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + deadline_);
    if (authorized && !target_.Token().empty()) {
      context->AddMetadata("authorization", "Bearer " + target_.Token());
    }
    return context;
  }

  void Count(const std::string& outcome) { ++run_.tally[outcome]; }
  void Saw(std::int32_t id) { run_.max_id_seen = std::max(run_.max_id_seen, id); }

  // The id the server gave to the model user with this key.
  std::int32_t IdOf(int key);

  // Whether an email belongs to this sequence (any case, any shape).
  bool Ours(const std::string& email) const {
    return Fold(email).find("." + tag_) != std::string::npos;
  }

 private:
  Target& target_;
  v1::UserService::Stub& stub_;
  RunState& run_;
  std::chrono::milliseconds deadline_;
  std::string tag_;
  std::map<int, std::int32_t> ids_;
};

// Fails the case: the server's answer to `call` broke the contract.
[[noreturn]] void Violation(const std::string& call, const std::string& got,
                            const std::string& expected, const std::string& hint = "");

// Fails the case: the model itself is wrong, not the server.
[[noreturn]] void ModelError(const std::string& what);

using ModelCommand = rc::state::Command<Model, ModelSut>;
using CommandPtr = std::shared_ptr<const ModelCommand>;

template <typename Command>
rc::Gen<CommandPtr> Make(const Model& model) {
  return rc::gen::exec([model]() -> CommandPtr { return std::make_shared<const Command>(model); });
}

// What ExpectCreate predicts, in words, for a failure report.
std::string DescribeExpectation(const CreateExpectation& e, std::size_t count,
                                std::int32_t max_id_seen);

// Generators of each command, for the runner's choice (model.cc).
rc::Gen<CommandPtr> CreateBatchCommand(const Model& model);     // model_writes.cc
rc::Gen<CommandPtr> CancelledBatchCommand(const Model& model);  // model_writes.cc
rc::Gen<CommandPtr> GetUserCommand(const Model& model);         // model_reads.cc
rc::Gen<CommandPtr> ListUsersCommand(const Model& model);       // model_reads.cc

}  // namespace course::harness::model_detail

#endif  // COURSE_HARNESS_TESTS_MODEL_MODEL_PARTS_H_
