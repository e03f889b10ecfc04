// The system under test and the commands that write: CreateUsers batches,
// whole or cancelled before the half-close.
#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/describe.h"
#include "course/v1/course.grpc.pb.h"
#include "tests/model/model_parts.h"

namespace course::harness::model_detail {

[[noreturn]] void Violation(const std::string& call, const std::string& got,
                            const std::string& expected, const std::string& hint) {
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

namespace {

// Sends `requests` on `writer` with the emails of this sequence; stops when
// the server has ended the call.
void WriteRequests(ModelSut& sut, const std::vector<RequestSpec>& requests,
                   grpc::ClientWriter<v1::CreateUserRequest>& writer) {
  for (const RequestSpec& spec : requests) {
    v1::CreateUserRequest request;
    request.set_name(spec.name);
    request.set_email(RenderEmail(spec.email, sut.tag()));
    if (!writer.Write(request)) break;  // the server ended the call
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
    WriteRequests(sut, requests_, *writer);
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
    WriteRequests(sut, requests_, *writer);
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

}  // namespace

rc::Gen<CommandPtr> CreateBatchCommand(const Model& model) { return Make<CreateBatch>(model); }

rc::Gen<CommandPtr> CancelledBatchCommand(const Model& model) {
  return Make<CancelledBatch>(model);
}

}  // namespace course::harness::model_detail
