#include "core/check.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "core/describe.h"

namespace course::harness {

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kPass:
      return "pass";
    case Outcome::kFail:
      return "fail";
    case Outcome::kError:
      return "error";
    case Outcome::kSkip:
      return "skip";
    case Outcome::kWarn:
      return "warn";
  }
  return "error";
}

const char* LevelName(Level level) {
  switch (level) {
    case Level::kMust:
      return "MUST";
    case Level::kShould:
      return "SHOULD";
    case Level::kInfo:
      return "INFO";
  }
  return "MUST";
}

CheckContext::CheckContext(Target& target, std::string run_tag, std::uint64_t seed,
                           std::chrono::milliseconds rpc_deadline,
                           std::shared_ptr<const ServiceOptions> service)
    : target_(target),
      run_tag_(std::move(run_tag)),
      rng_(seed),
      rpc_deadline_(rpc_deadline),
      service_(service ? std::move(service) : std::make_shared<const ServiceOptions>()),
      users_(v1::UserService::NewStub(target.Channel())),
      chat_(v1::ChatService::NewStub(target.Channel())) {}

std::unique_ptr<grpc::ClientContext> CheckContext::NewCall(std::chrono::milliseconds deadline,
                                                           bool authorized) const {
  auto context = std::make_unique<grpc::ClientContext>();
  if (deadline.count() == 0) deadline = rpc_deadline_;
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  if (authorized && !target_.Token().empty()) {
    context->AddMetadata("authorization", "Bearer " + target_.Token());
  }
  return context;
}

std::string CheckContext::UniqueEmail(const std::string& tag) {
  return absl::StrCat(tag, "-", run_tag_, "-", ++counter_, "@conform.example");
}

std::string CheckContext::UniqueRoom() { return absl::StrCat("room-", run_tag_, "-", ++counter_); }

void CheckContext::Sent(const std::string& what) { sent_.push_back(what); }
std::string CheckContext::Notes() const { return absl::StrJoin(notes_, "; "); }
void CheckContext::Received(const std::string& what) { received_.push_back(what); }

void CheckContext::Fail(const std::string& message, const std::string& expected,
                        const std::string& hint) {
  Finding finding;
  finding.message = message;
  finding.expected = expected;
  finding.hint = hint;
  finding.sent = absl::StrJoin(sent_, "\n");
  finding.received = absl::StrJoin(received_, "\n");
  finding.reproduce = reproduce_;
  finding.trace = trace_;
  throw CheckFailed(std::move(finding));
}

void CheckContext::ExpectCode(const grpc::Status& status, grpc::StatusCode code,
                              const std::string& what, const std::string& hint) {
  if (status.error_code() == code) return;
  Received(DescribeStatus(status));
  Fail(absl::StrCat(what, ": got ", CodeName(status.error_code()), ", want ", CodeName(code)),
       CodeName(code), hint);
}

void CheckContext::Expect(bool condition, const std::string& message, const std::string& expected,
                          const std::string& hint) {
  if (!condition) Fail(message, expected, hint);
}

const std::vector<CheckDef>& AllChecks() {
  static const std::vector<CheckDef> checks = [] {
    std::vector<CheckDef> all;
    AddUnaryChecks(all);
    AddServerStreamingChecks(all);
    AddClientStreamingChecks(all);
    AddChatChecks(all);
    AddErrorChecks(all);
    AddDeadlineChecks(all);
    AddMetadataChecks(all);
    AddWireChecks(all);
    AddServerChecks(all);
    return all;
  }();
  return checks;
}

}  // namespace course::harness
