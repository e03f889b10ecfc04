#include "core/model.h"

#include <rapidcheck.h>
#include <rapidcheck/detail/Configuration.h>
#include <rapidcheck/detail/TestListenerAdapter.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/describe.h"
#include "course/v1/course.grpc.pb.h"

namespace course::harness {
namespace {

constexpr std::size_t kMaxNameBytes = 100;   // C1
constexpr std::size_t kMaxEmailBytes = 254;  // C1
constexpr char kDomain[] = "@model.example";
// Inside the model emails are judged with this tag in place of the run's:
// RenderEmail makes validity and case-folded equality independent of it.
constexpr char kModelTag[] = "model";
// How show() writes the tag, since a shrunk sequence runs with a new one.
constexpr char kShownTag[] = "$T";
// The id under which rapidcheck files this property's reproduce data.
constexpr char kPropertyId[] = "course.model.users";

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string Fold(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

// Some keys get an email of exactly 254 bytes, the longest C1 allows.
bool UsesLongestForm(int key) { return key % 5 == 4; }

// Upper-cases some ASCII letters, chosen by `seed` and their position.
std::string ApplyCase(std::string text, std::uint32_t seed) {
  if (seed == 0) return text;
  std::uint32_t state = seed;
  for (char& c : text) {
    state = state * 1103515245u + 12345u;
    if (c >= 'a' && c <= 'z' && ((state >> 16) & 1u) != 0) {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return text;
}

// Characters names are made of: ASCII and UTF-8 sequences of 2, 3 and 4
// bytes, so a name's length in bytes (what C1 counts) is not its length in
// characters. Always valid UTF-8: proto3 rejects anything else, and that
// failure would surface as a misleading error.
const std::vector<std::string>& NameCharacters() {
  static const std::vector<std::string> characters = {
      "a",
      "B",
      "z",
      "0",
      " ",
      "-",
      "'",
      ".",
      "\xC3\xA9",          // e with acute accent
      "\xC3\x9F",          // sharp s
      "\xD0\x96",          // Cyrillic Zhe
      "\xD8\xA7",          // Arabic alef
      "\xE4\xB8\xAD",      // CJK "middle"
      "\xE2\x82\xAC",      // euro sign
      "\xF0\x9D\x84\x9E",  // musical G clef
      "\xF0\x9F\x98\x80",  // grinning face
  };
  return characters;
}

// ---- Display --------------------------------------------------------------

// A quoted, escaped string; long ones are cut in the middle (on character
// boundaries) and their length in bytes is given.
std::string Quote(const std::string& text) {
  auto escape = [](const std::string& part) {
    std::string out;
    for (char c : part) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\n':
          out += "\\n";
          break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            absl::StrAppend(&out, "\\x", absl::Hex(static_cast<unsigned char>(c), absl::kZeroPad2));
          } else {
            out += c;
          }
      }
    }
    return out;
  };
  constexpr std::size_t kShown = 40;
  if (text.size() <= kShown) return absl::StrCat("\"", escape(text), "\"");
  auto continuation = [&](std::size_t i) {
    return i < text.size() && (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  std::size_t head = 18;
  while (head > 0 && continuation(head)) --head;
  std::size_t tail = text.size() - 16;
  while (tail < text.size() && continuation(tail)) ++tail;
  return absl::StrCat("\"", escape(text.substr(0, head)), "\xE2\x80\xA6", escape(text.substr(tail)),
                      "\" (", text.size(), " bytes)");
}

std::string ShowBatch(const std::vector<RequestSpec>& requests, const std::string& tag) {
  std::vector<std::string> parts;
  for (const RequestSpec& request : requests) {
    parts.push_back(absl::StrCat("{name:", Quote(request.name),
                                 ", email:", Quote(RenderEmail(request.email, tag)), "}"));
  }
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

std::string ShowUser(const v1::User& user) {
  return absl::StrCat("{id:", user.id(), ", name:", Quote(user.name()),
                      ", email:", Quote(user.email()), "}");
}

// ---- Generators -----------------------------------------------------------

// A uniform pick in [lo, hi) that shrinks towards lo. rapidcheck scales
// inRange with the test size; the size here only bounds sequence length, so
// values inside a command are drawn at full size.
int Uniform(int lo, int hi) { return *rc::gen::resize(100, rc::gen::inRange(lo, hi)); }

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

// Exactly `bytes` bytes: characters of the set, then ASCII to land on it.
std::string NameOfBytes(std::size_t bytes) {
  const auto& characters = NameCharacters();
  std::string name;
  for (std::size_t i = static_cast<std::size_t>(Uniform(0, static_cast<int>(characters.size())));;
       ++i) {
    const std::string& c = characters[i % characters.size()];
    if (name.size() + c.size() > bytes) break;
    name += c;
  }
  name.append(bytes - name.size(), 'x');
  return name;
}

std::string ValidName() {
  if (Uniform(0, 8) == 7) return NameOfBytes(kMaxNameBytes);  // the limit
  const auto& characters = NameCharacters();
  const int length = Uniform(1, 13);
  std::string name;
  for (int i = 0; i < length; ++i) {
    name += characters[static_cast<std::size_t>(Uniform(0, static_cast<int>(characters.size())))];
  }
  return name;
}

std::string InvalidName() {
  if (Uniform(0, 2) == 0) return "";
  return NameOfBytes(static_cast<std::size_t>(Uniform(101, 131)));
}

std::uint32_t CaseSeed() { return static_cast<std::uint32_t>(Uniform(1, 1 << 16)); }

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
[[maybe_unused]] void showValue(const RequestDraw& draw, std::ostream& os) {
  os << "request of kind " << static_cast<int>(draw.kind);
}

RequestDraw DrawRequest() {
  RequestDraw draw;
  draw.kind = PickWeighted<RequestKind>({{8, RequestKind::kFresh},
                                         {2, RequestKind::kBadName},
                                         {2, RequestKind::kBadEmail},
                                         {3, RequestKind::kDuplicateStored},
                                         {1, RequestKind::kBadNameDuplicate},
                                         {2, RequestKind::kDuplicateInBatch},
                                         {3, RequestKind::kReuseUnstored}});
  const bool bad_name =
      draw.kind == RequestKind::kBadName || draw.kind == RequestKind::kBadNameDuplicate;
  draw.name = bad_name ? InvalidName() : ValidName();
  if (draw.kind == RequestKind::kBadEmail) {
    draw.shape = static_cast<EmailShape>(Uniform(1, kEmailShapes));
  }
  draw.pick = Uniform(0, 1 << 16);
  if (draw.kind == RequestKind::kDuplicateStored || draw.kind == RequestKind::kBadNameDuplicate ||
      draw.kind == RequestKind::kDuplicateInBatch ||
      (draw.kind == RequestKind::kReuseUnstored && Uniform(0, 2) == 1)) {
    draw.case_seed = CaseSeed();
  }
  return draw;
}

// The request a draw stands for, given the model and the batch so far. A
// draw that needs what is not there (a duplicate with no users yet) becomes
// a request with an email of its own.
RequestSpec Resolve(const Model& model, const std::vector<RequestSpec>& earlier,
                    const RequestDraw& draw, int& next_key) {
  RequestSpec request;
  request.kind = draw.kind;
  request.name = draw.name;
  auto nth = [&draw](std::size_t size) { return static_cast<std::size_t>(draw.pick) % size; };
  switch (draw.kind) {
    case RequestKind::kDuplicateStored:
    case RequestKind::kBadNameDuplicate:
      if (!model.users.empty()) {
        request.email = model.users[nth(model.users.size())].email;
        request.email.case_seed = draw.case_seed;
        return request;
      }
      request.kind =
          draw.kind == RequestKind::kBadNameDuplicate ? RequestKind::kBadName : RequestKind::kFresh;
      break;
    case RequestKind::kDuplicateInBatch:
      if (!earlier.empty()) {
        request.email = earlier[nth(earlier.size())].email;
        request.email.case_seed = draw.case_seed;
        return request;
      }
      request.kind = RequestKind::kFresh;
      break;
    case RequestKind::kReuseUnstored:
      if (!model.unstored.empty()) {
        request.email = model.unstored[nth(model.unstored.size())];
        request.email.case_seed = draw.case_seed;
        return request;
      }
      request.kind = RequestKind::kFresh;
      break;
    case RequestKind::kFresh:
    case RequestKind::kBadName:
    case RequestKind::kBadEmail:
      break;
  }
  request.email = {next_key++, draw.shape, 0};
  return request;
}

// Adds the valid emails of a call that stored nothing to model.unstored.
void RememberUnstored(Model& model, const std::vector<RequestSpec>& requests) {
  for (const RequestSpec& request : requests) {
    if (request.email.shape != EmailShape::kValid) continue;
    const int key = request.email.key;
    if (model.FindUser(key) != nullptr) continue;
    const bool known = std::any_of(model.unstored.begin(), model.unstored.end(),
                                   [key](const EmailSpec& e) { return e.key == key; });
    if (!known) model.unstored.push_back(request.email);
  }
}

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

[[noreturn]] void Violation(const std::string& call, const std::string& got,
                            const std::string& expected, const std::string& hint = "") {
  throw rc::detail::CaseResult(rc::detail::CaseResult::Type::Failure,
                               absl::StrCat(call, "\n  got:      ", got, "\n  expected: ", expected,
                                            hint.empty() ? "" : "\n  hint:     ", hint));
}

[[noreturn]] void ModelError(const std::string& what) {
  throw rc::detail::CaseResult(
      rc::detail::CaseResult::Type::Failure,
      absl::StrCat("internal error in the model, not a fault of the server: ", what));
}

std::int32_t ModelSut::IdOf(int key) {
  auto it = ids_.find(key);
  if (it == ids_.end()) ModelError(absl::StrCat("no id recorded for m", key));
  return it->second;
}

using ModelCommand = rc::state::Command<Model, ModelSut>;
using CommandPtr = std::shared_ptr<const ModelCommand>;

std::string DescribeExpectation(const CreateExpectation& e, std::size_t count,
                                std::int32_t max_id_seen) {
  switch (e.code) {
    case grpc::StatusCode::OK:
      if (count == 0) return "OK with no ids: an empty stream is fine (C6)";
      return absl::StrCat(
          "OK, since every request follows C1 and no email is taken (C3): ",
          count == 1 ? "1 id" : absl::StrCat(count, " strictly increasing ids, the first"),
          " greater than ", max_id_seen, ", the largest id seen so far (C5)");
    case grpc::StatusCode::INVALID_ARGUMENT:
      return absl::StrCat("INVALID_ARGUMENT with a BadRequest naming ", e.field, ": ", e.reason,
                          " (C2)");
    case grpc::StatusCode::ALREADY_EXISTS:
      return absl::StrCat("ALREADY_EXISTS with a message containing ", Quote(e.email), ": ",
                          e.reason, " (C3)");
    default:
      return CodeName(e.code);
  }
}

// ---- Commands -------------------------------------------------------------

// One CreateUsers call with 0-8 requests, half-closed at the end.
class CreateBatch final : public ModelCommand {
 public:
  explicit CreateBatch(const Model& model) : next_key_(model.next_key) {
    const auto draws = *rc::gen::resize(
        8, rc::gen::container<std::vector<RequestDraw>>(rc::gen::exec(&DrawRequest)));
    for (const RequestDraw& draw : draws) {
      requests_.push_back(Resolve(model, requests_, draw, next_key_));
    }
  }

  void checkPreconditions(const Model& model) const override {
    for (const RequestSpec& request : requests_) {
      if (request.kind == RequestKind::kDuplicateStored ||
          request.kind == RequestKind::kBadNameDuplicate) {
        RC_PRE(model.HasUser(request.email.key));
      }
    }
  }

  void apply(Model& model) const override {
    model.next_key = std::max(model.next_key, next_key_);
    if (ExpectCreate(model, requests_, kModelTag).code != grpc::StatusCode::OK) {
      RememberUnstored(model, requests_);  // C4: a failed call stores nothing
      return;
    }
    for (const RequestSpec& request : requests_) {
      model.users.push_back({request.email.key, request.name, request.email});
      const int key = request.email.key;
      model.unstored.erase(std::remove_if(model.unstored.begin(), model.unstored.end(),
                                          [key](const EmailSpec& e) { return e.key == key; }),
                           model.unstored.end());
    }
  }

  void run(const Model& model, ModelSut& sut) const override {
    const CreateExpectation expected = ExpectCreate(model, requests_, sut.tag());
    const CreateExpectation judged = ExpectCreate(model, requests_, kModelTag);
    if (expected.code != judged.code || expected.index != judged.index) {
      ModelError("the outcome of a batch depends on the run's tag");
    }
    sut.Count(absl::StrCat("CreateUsers ", CodeName(expected.code)));

    auto call = sut.NewCall(/*authorized=*/true);
    v1::CreateUsersResponse response;
    auto writer = sut.stub().CreateUsers(call.get(), &response);
    for (const RequestSpec& spec : requests_) {
      v1::CreateUserRequest request;
      request.set_name(spec.name);
      request.set_email(RenderEmail(spec.email, sut.tag()));
      if (!writer->Write(request)) break;  // the server ended the call
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();

    const std::string what = absl::StrCat("CreateUsers", ShowBatch(requests_, sut.tag()));
    const std::string want = DescribeExpectation(expected, requests_.size(), sut.run().max_id_seen);
    if (status.error_code() != expected.code) {
      Violation(what, DescribeStatus(status), want, LeakHint(model, sut, status));
    }
    if (expected.code == grpc::StatusCode::INVALID_ARGUMENT &&
        ViolatedFields(status) != expected.field) {
      Violation(what, DescribeStatus(status), want);
    }
    if (expected.code == grpc::StatusCode::ALREADY_EXISTS &&
        status.error_message().find(expected.email) == std::string::npos) {
      Violation(what, DescribeStatus(status), want);
    }
    if (!status.ok()) return;

    const auto& ids = response.ids();
    const std::string got = absl::StrCat("OK with ids [", absl::StrJoin(ids, ", "), "]");
    if (static_cast<std::size_t>(ids.size()) != requests_.size()) Violation(what, got, want);
    for (int i = 0; i < ids.size(); ++i) {
      if (i == 0 ? ids[i] <= sut.run().max_id_seen : ids[i] <= ids[i - 1]) {
        Violation(what, got, want);
      }
    }
    for (int i = 0; i < ids.size(); ++i) {
      sut.ids()[requests_[static_cast<std::size_t>(i)].email.key] = ids[i];
      sut.Saw(ids[i]);
    }
  }

  void show(std::ostream& os) const override {
    os << "CreateUsers" << ShowBatch(requests_, kShownTag);
  }

 private:
  // An unexpected ALREADY_EXISTS for an email this sequence sent only in
  // calls that stored nothing points at C4, not at this call.
  std::string LeakHint(const Model& model, ModelSut& sut, const grpc::Status& status) const {
    if (status.error_code() != grpc::StatusCode::ALREADY_EXISTS) return "";
    for (const RequestSpec& request : requests_) {
      const int key = request.email.key;
      const bool unstored = std::any_of(model.unstored.begin(), model.unstored.end(),
                                        [key](const EmailSpec& e) { return e.key == key; });
      if (unstored) {
        return absl::StrCat(Quote(RenderEmail(request.email, sut.tag())),
                            " was sent before only in calls that failed or were "
                            "cancelled, and those store nothing (C4)");
      }
    }
    return "";
  }

  int next_key_;
  std::vector<RequestSpec> requests_;
};

// CreateUsers with 1-4 valid requests, cancelled before the half-close.
class CancelledBatch final : public ModelCommand {
 public:
  explicit CancelledBatch(const Model& model) : next_key_(model.next_key) {
    const int count = Uniform(1, 5);
    for (int i = 0; i < count; ++i) {
      requests_.push_back({RequestKind::kFresh, ValidName(), {next_key_++, EmailShape::kValid, 0}});
    }
  }

  // A taken email could end the call with ALREADY_EXISTS before the cancel.
  void checkPreconditions(const Model& model) const override {
    for (const RequestSpec& request : requests_) {
      RC_PRE(!model.HasUser(request.email.key));
    }
  }

  void apply(Model& model) const override {
    model.next_key = std::max(model.next_key, next_key_);
    RememberUnstored(model, requests_);
  }

  void run(const Model& /*model*/, ModelSut& sut) const override {
    sut.Count("CreateUsers cancelled");
    auto call = sut.NewCall(/*authorized=*/true);
    v1::CreateUsersResponse response;
    auto writer = sut.stub().CreateUsers(call.get(), &response);
    for (const RequestSpec& spec : requests_) {
      v1::CreateUserRequest request;
      request.set_name(spec.name);
      request.set_email(RenderEmail(spec.email, sut.tag()));
      if (!writer->Write(request)) break;
    }
    call->TryCancel();
    const grpc::Status status = writer->Finish();
    if (status.error_code() != grpc::StatusCode::CANCELLED) {
      Violation(absl::StrCat("CreateUsers", ShowBatch(requests_, sut.tag()),
                             " cancelled before half-close"),
                DescribeStatus(status), "CANCELLED, and none of its users stored (C4)");
    }
  }

  void show(std::ostream& os) const override {
    os << "CreateUsers" << ShowBatch(requests_, kShownTag) << " cancelled before half-close";
  }

 private:
  int next_key_;
  std::vector<RequestSpec> requests_;
};

// GetUser of a user of the model, of an id <= 0, or of an id nobody has.
class GetUserCall final : public ModelCommand {
 public:
  enum class Which { kModelUser, kNonPositive, kUnused };

  explicit GetUserCall(const Model& model) {
    std::vector<std::pair<int, Which>> choices;
    if (!model.users.empty()) choices.push_back({4, Which::kModelUser});
    choices.push_back({1, Which::kNonPositive});
    choices.push_back({1, Which::kUnused});
    which_ = PickWeighted(choices);
    switch (which_) {
      case Which::kModelUser:
        key_ =
            model.users[static_cast<std::size_t>(Uniform(0, static_cast<int>(model.users.size())))]
                .key;
        break;
      case Which::kNonPositive: {
        static const std::int32_t kIds[] = {0, -1, -7, INT32_MIN};
        id_ = kIds[Uniform(0, 4)];
        break;
      }
      case Which::kUnused:
        id_ = INT32_MAX - Uniform(0, 16);
        break;
    }
  }

  void checkPreconditions(const Model& model) const override {
    if (which_ == Which::kModelUser) RC_PRE(model.HasUser(key_));
  }

  void run(const Model& model, ModelSut& sut) const override {
    const std::int32_t id = which_ == Which::kModelUser ? sut.IdOf(key_) : id_;
    v1::GetUserRequest request;
    request.set_id(id);
    auto call = sut.NewCall(/*authorized=*/false);
    v1::User user;
    const grpc::Status status = sut.stub().GetUser(call.get(), request, &user);
    const std::string what = absl::StrCat("GetUser{id:", id, "}");
    const std::string got =
        status.ok() ? absl::StrCat("OK ", ShowUser(user)) : DescribeStatus(status);
    switch (which_) {
      case Which::kModelUser: {
        sut.Count("GetUser OK");
        const ModelUser* expected = model.FindUser(key_);
        v1::User want;
        want.set_id(id);
        want.set_name(expected->name);
        want.set_email(RenderEmail(expected->email, sut.tag()));
        if (!status.ok() || user.id() != want.id() || user.name() != want.name() ||
            user.email() != want.email()) {
          Violation(
              what, got,
              absl::StrCat("OK ", ShowUser(want), ": the user exactly as it was created (G3)"));
        }
        break;
      }
      case Which::kNonPositive:
        sut.Count("GetUser INVALID_ARGUMENT");
        if (status.error_code() != grpc::StatusCode::INVALID_ARGUMENT ||
            ViolatedFields(status) != "id") {
          Violation(what, got, "INVALID_ARGUMENT with a BadRequest naming id (G1)");
        }
        break;
      case Which::kUnused:
        sut.Count("GetUser NOT_FOUND");
        if (status.error_code() != grpc::StatusCode::NOT_FOUND ||
            status.error_message().find(std::to_string(id)) == std::string::npos) {
          Violation(what, got, absl::StrCat("NOT_FOUND with a message containing ", id, " (G2)"));
        }
        break;
    }
  }

  void show(std::ostream& os) const override {
    if (which_ == Which::kModelUser) {
      os << "GetUser{id:id(m" << key_ << ")}";
    } else {
      os << "GetUser{id:" << id_ << "}";
    }
  }

 private:
  Which which_ = Which::kNonPositive;
  int key_ = 0;
  std::int32_t id_ = 0;
};

// ListUsers with page_size 0-5, after_id near a user of the model, from the
// start, negative, or past every id; interval 0.
class ListUsersCall final : public ModelCommand {
 public:
  enum class After { kNearUser, kStart, kNegative, kEnd };

  explicit ListUsersCall(const Model& model) {
    page_size_ = Uniform(0, 6);
    std::vector<std::pair<int, After>> choices;
    if (!model.users.empty()) choices.push_back({4, After::kNearUser});
    choices.push_back({1, After::kStart});
    choices.push_back({1, After::kNegative});
    choices.push_back({1, After::kEnd});
    after_ = PickWeighted(choices);
    switch (after_) {
      case After::kNearUser:
        key_ =
            model.users[static_cast<std::size_t>(Uniform(0, static_cast<int>(model.users.size())))]
                .key;
        delta_ = Uniform(-1, 2);
        break;
      case After::kStart:
        after_id_ = 0;
        break;
      case After::kNegative:
        after_id_ = Uniform(0, 2) == 0 ? -5 : INT32_MIN;
        break;
      case After::kEnd:
        after_id_ = INT32_MAX;
        break;
    }
  }

  void checkPreconditions(const Model& model) const override {
    if (after_ == After::kNearUser) RC_PRE(model.HasUser(key_));
  }

  void run(const Model& model, ModelSut& sut) const override {
    sut.Count("ListUsers OK");
    const std::int32_t after_id = after_ == After::kNearUser ? sut.IdOf(key_) + delta_ : after_id_;
    v1::ListUsersRequest request;
    request.set_page_size(page_size_);
    request.set_after_id(after_id);
    request.set_interval_ms(0);
    auto call = sut.NewCall(/*authorized=*/false);
    auto reader = sut.stub().ListUsers(call.get(), request);
    std::vector<v1::User> users;
    v1::User user;
    while (reader->Read(&user)) users.push_back(user);
    const grpc::Status status = reader->Finish();

    // The model's users by the id the server gave them.
    std::map<std::int32_t, const ModelUser*> by_id;
    for (const ModelUser& m : model.users) by_id[sut.IdOf(m.key)] = &m;

    const std::string what =
        absl::StrCat("ListUsers{page_size:", page_size_, ", after_id:", after_id, "}");
    std::vector<std::string> shown;
    for (const v1::User& u : users) {
      auto it = by_id.find(u.id());
      shown.push_back(it == by_id.end() ? absl::StrCat(u.id())
                                        : absl::StrCat(u.id(), " (m", it->second->key, ")"));
    }
    const std::string got =
        absl::StrCat(DescribeStatus(status), " after users [", absl::StrJoin(shown, ", "), "]");
    if (!status.ok()) Violation(what, got, "OK (L2)");

    for (std::size_t i = 0; i < users.size(); ++i) {
      const v1::User& u = users[i];
      sut.Saw(u.id());
      if (u.id() <= after_id || (i > 0 && u.id() <= users[i - 1].id())) {
        Violation(what, got,
                  absl::StrCat("only ids greater than ", after_id,
                               ", each once, in ascending order (L2)"));
      }
      auto it = by_id.find(u.id());
      if (it != by_id.end()) {
        const std::string email = RenderEmail(it->second->email, sut.tag());
        if (u.name() != it->second->name || u.email() != email) {
          v1::User want;
          want.set_id(u.id());
          want.set_name(it->second->name);
          want.set_email(email);
          Violation(what, absl::StrCat("user ", ShowUser(u)),
                    absl::StrCat(ShowUser(want), ", as it was created (L2, G3)"));
        }
      } else if (sut.Ours(u.email())) {
        Violation(what, absl::StrCat("user ", ShowUser(u)),
                  "no such user: its email is one this sequence sent only in calls "
                  "that failed or were cancelled, so it must not be stored (C4)");
      }
    }
    if (page_size_ > 0 && users.size() > static_cast<std::size_t>(page_size_)) {
      Violation(what, got, absl::StrCat("at most ", page_size_, " users (L2)"));
    }

    // Every model user after after_id up to where the list stopped: all of
    // them when the list ended by itself, those up to the last id sent when
    // a full page stopped it.
    const bool full_page = page_size_ > 0 && users.size() == static_cast<std::size_t>(page_size_);
    const std::int32_t last = users.empty() ? after_id : users.back().id();
    std::vector<std::string> missing;
    for (const auto& [id, m] : by_id) {
      if (id <= after_id || (full_page && id > last)) continue;
      const bool sent = std::any_of(users.begin(), users.end(),
                                    [id = id](const v1::User& u) { return u.id() == id; });
      if (!sent) missing.push_back(absl::StrCat(id, " (m", m->key, ")"));
    }
    if (!missing.empty()) {
      Violation(what, got,
                absl::StrCat("also the users [", absl::StrJoin(missing, ", "),
                             "] this sequence created: every user with an id greater "
                             "than after_id, in ascending order, up to page_size (L2)"));
    }
  }

  void show(std::ostream& os) const override {
    os << "ListUsers{page_size:" << page_size_ << ", after_id:";
    if (after_ == After::kNearUser) {
      os << "id(m" << key_ << ")";
      if (delta_ != 0) os << (delta_ > 0 ? "+" : "") << delta_;
    } else {
      os << after_id_;
    }
    os << "}";
  }

 private:
  int page_size_ = 0;
  After after_ = After::kStart;
  int key_ = 0;
  int delta_ = 0;
  std::int32_t after_id_ = 0;
};

template <typename Command>
rc::Gen<CommandPtr> Make(const Model& model) {
  return rc::gen::exec([model]() -> CommandPtr { return std::make_shared<const Command>(model); });
}

rc::Gen<CommandPtr> NextCommand(const Model& model) {
  return rc::gen::weightedOneOf<CommandPtr>({
      {5, Make<CreateBatch>(model)},
      {1, Make<CancelledBatch>(model)},
      {2, Make<GetUserCall>(model)},
      {2, Make<ListUsersCall>(model)},
  });
}

std::string Base36(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  std::string text;
  do {
    text.insert(text.begin(), kDigits[value % 36]);
    value /= 36;
  } while (value != 0);
  return text;
}

std::uint64_t ClockMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

std::string Tally(const std::map<std::string, int>& tally) {
  std::vector<std::string> parts;
  for (const auto& [outcome, count] : tally) parts.push_back(absl::StrCat(outcome, " ", count));
  return absl::StrJoin(parts, ", ");
}

}  // namespace

// ---- Public functions -----------------------------------------------------

std::string RenderEmail(const EmailSpec& spec, const std::string& tag) {
  // The email is cut into segments, the tag one of them, and letters are
  // upper-cased per segment: the case pattern outside the tag is then the
  // same whatever the tag, as shown with $T in a counterexample.
  const std::string key = absl::StrCat("m", spec.key, ".");
  auto pad_to = [&](std::size_t total) {
    const std::size_t used = key.size() + tag.size() + 1 + std::strlen(kDomain);
    return "." + std::string(total > used ? total - used : 1, 'p');
  };
  std::vector<std::string> segments;
  switch (spec.shape) {
    case EmailShape::kValid:
      if (UsesLongestForm(spec.key)) {
        segments = {key, tag, pad_to(kMaxEmailBytes), kDomain};
      } else {
        segments = {key, tag, kDomain};
      }
      break;
    case EmailShape::kNoAt:
      segments = {key, tag, ".model.example"};
      break;
    case EmailShape::kTwoAts:
      segments = {key, tag, "@at@model.example"};
      break;
    case EmailShape::kEmptyLocal:
      segments = {"@" + key, tag, ".model.example"};
      break;
    case EmailShape::kDomainWithoutDot:
      segments = {key, tag, "@localhost"};
      break;
    case EmailShape::kDomainStartsWithDot:
      segments = {key, tag, "@.model.example"};
      break;
    case EmailShape::kDomainEndsWithDot:
      segments = {key, tag, "@model.example."};
      break;
    case EmailShape::kEmptyDomain:
      segments = {key, tag, "@"};
      break;
    case EmailShape::kSpace:
      segments = {key, tag, " x@model.example"};
      break;
    case EmailShape::kTab:
      segments = {key, tag, "\t@model.example"};
      break;
    case EmailShape::kTooLong:
      segments = {key, tag, pad_to(kMaxEmailBytes + 1), kDomain};
      break;
  }
  std::string email;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    absl::StrAppend(&email,
                    ApplyCase(segments[i], spec.case_seed == 0 ? 0 : spec.case_seed * 31 + i));
  }
  return email;
}

bool NameFollowsC1(const std::string& name) {
  return !name.empty() && name.size() <= kMaxNameBytes;
}

bool EmailFollowsC1(const std::string& email) {
  if (email.size() > kMaxEmailBytes) return false;
  if (std::any_of(email.begin(), email.end(), IsAsciiSpace)) return false;
  if (std::count(email.begin(), email.end(), '@') != 1) return false;
  const std::size_t at = email.find('@');
  const std::string domain = email.substr(at + 1);
  if (at == 0) return false;
  if (domain.find('.') == std::string::npos) return false;
  return domain.front() != '.' && domain.back() != '.';
}

bool Model::HasUser(int key) const { return FindUser(key) != nullptr; }

const ModelUser* Model::FindUser(int key) const {
  for (const ModelUser& user : users) {
    if (user.key == key) return &user;
  }
  return nullptr;
}

CreateExpectation ExpectCreate(const Model& model, const std::vector<RequestSpec>& requests,
                               const std::string& tag) {
  // Folded email -> who took it, for the reason given to people.
  std::map<std::string, std::string> taken;
  for (const ModelUser& user : model.users) {
    taken[Fold(RenderEmail(user.email, tag))] = "a user this run created";
  }
  CreateExpectation expectation;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const std::string at = absl::StrCat("users[", i, "]");
    expectation.index = static_cast<int>(i);
    if (!NameFollowsC1(requests[i].name)) {
      expectation.code = grpc::StatusCode::INVALID_ARGUMENT;
      expectation.field = at + ".name";
      expectation.rule = "C2";
      expectation.reason = absl::StrCat("request ", i, " has a name of ", requests[i].name.size(),
                                        " bytes, C1 allows 1 to 100");
      return expectation;
    }
    const std::string email = RenderEmail(requests[i].email, tag);
    if (!EmailFollowsC1(email)) {
      expectation.code = grpc::StatusCode::INVALID_ARGUMENT;
      expectation.field = at + ".email";
      expectation.rule = "C2";
      expectation.reason = absl::StrCat("request ", i, " has an email that breaks C1");
      return expectation;
    }
    auto [it, fresh] = taken.emplace(Fold(email), absl::StrCat("request ", i));
    if (!fresh) {
      expectation.code = grpc::StatusCode::ALREADY_EXISTS;
      expectation.email = email;
      expectation.rule = "C3";
      expectation.reason = absl::StrCat("request ", i, " repeats the email of ", it->second,
                                        ", ignoring ASCII case");
      return expectation;
    }
  }
  expectation.index = -1;
  expectation.rule = requests.empty() ? "C6" : "C5";
  return expectation;
}

ModelRunResult RunModelProperty(Target& target, const ModelOptions& options) {
  RunState run;
  run.stamp = Base36(ClockMicros()) + Base36(std::random_device()() % 1296);
  auto stub = v1::UserService::NewStub(target.Channel());
  const auto property = [&] {
    ModelSut sut(target, *stub, run, options.rpc_deadline);
    rc::state::check(Model{}, sut, &NextCommand);
  };

  rc::detail::TestParams params;
  std::unordered_map<std::string, rc::detail::Reproduce> reproduce;
  const char* env = std::getenv("RC_PARAMS");
  if (!options.rc_params.empty()) {
    try {
      const rc::detail::Configuration config = rc::detail::configFromString(options.rc_params);
      params = config.testParams;
      reproduce = config.reproduce;
    } catch (const rc::detail::ConfigurationException& e) {
      ModelRunResult bad;
      bad.report =
          absl::StrCat("cannot read rc_params \"", options.rc_params, "\": ", e.what(), "\n");
      return bad;
    }
  } else if (options.honour_rc_params && env != nullptr && *env != '\0') {
    const rc::detail::Configuration& config = rc::detail::configuration();
    params = config.testParams;
    reproduce = config.reproduce;
  } else {
    params.seed = options.seed != 0 ? options.seed : ClockMicros();
    params.maxSuccess = options.sequences;
    params.maxSize = options.max_size;
  }
  rc::detail::TestMetadata metadata;
  metadata.id = kPropertyId;
  metadata.description = "CreateUsers, GetUser and ListUsers agree with the model";
  rc::detail::TestListenerAdapter quiet;
  const rc::detail::TestResult outcome =
      rc::detail::checkTestable(property, metadata, params, quiet, reproduce);

  ModelRunResult result;
  result.seed = params.seed;
  result.tally = run.tally;
  const std::string rerun =
      absl::StrCat("RC_PARAMS=\"seed=", params.seed, " max_success=", params.maxSuccess,
                   " max_size=", params.maxSize, "\"");
  rc::detail::SuccessResult success;
  rc::detail::FailureResult failure;
  rc::detail::GaveUpResult gave_up;
  rc::detail::Error error;
  if (outcome.match(success)) {
    result.ok = true;
    result.sequences_passed = success.numSuccess;
    result.report = absl::StrCat(success.numSuccess, " call sequences agreed with the model (seed ",
                                 params.seed, "; rerun with ", rerun,
                                 ").\nCalls by expected outcome: ", Tally(run.tally), "\n");
  } else if (outcome.match(failure)) {
    result.sequences_passed = failure.numSuccess;
    rc::detail::Configuration replay;
    replay.testParams = params;
    replay.reproduce[kPropertyId] = failure.reproduce;
    result.rc_params = rc::detail::configToMinimalString(replay);
    std::string calls;
    int n = 0;
    for (const auto& [type, value] : failure.counterExample) {
      for (absl::string_view line : absl::StrSplit(value, '\n', absl::SkipEmpty())) {
        absl::StrAppend(&calls, "  ", ++n, ". ", line, "\n");
      }
    }
    result.report =
        absl::StrCat("The server disagreed with the model after ", failure.numSuccess,
                     " passing call sequences. Shortest failing sequence found (after ",
                     failure.reproduce.shrinkPath.size(),
                     " shrinks); $T is a tag unique to "
                     "each run of it, id(mK) the id the server gave the user with email mK.$T:\n",
                     calls, "\nThe last call:\n  ", failure.description,
                     "\n\nReplay this sequence: ", "RC_PARAMS=\"", result.rc_params,
                     "\"\nRerun the whole search: ", rerun, "\n");
  } else if (outcome.match(gave_up)) {
    result.report = absl::StrCat("rapidcheck gave up after ", gave_up.numSuccess,
                                 " sequences: ", gave_up.description, "\n");
  } else if (outcome.match(error)) {
    result.report =
        reproduce.empty()
            ? absl::StrCat("rapidcheck could not run the property: ", error.description, "\n")
            : absl::StrCat("The replayed sequence (reproduce=...) did not fail on ",
                           target.Describe(), " (rapidcheck: ", error.description,
                           "). Leave out reproduce= to search again.\n");
  }
  return result;
}

}  // namespace course::harness
