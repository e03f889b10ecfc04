// Lesson 04, client streaming: CreateUsers, solved.
//
// One reactor per call reads the requests one at a time and judges each as
// it arrives (C8: in stream order, first C1, then C3, then C7). Nothing
// reaches the store until the client half-closes; then the whole batch goes
// in with one InsertAll, which stores all of it or none of it (C4).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/strings/str_cat.h"
#include "kit/kit.h"

namespace {

using course::v1::CreateUserRequest;
using course::v1::CreateUsersResponse;

constexpr std::size_t kMaxNameBytes = 100;
constexpr std::size_t kMaxEmailBytes = 254;
constexpr std::size_t kMaxRequests = 10000;

bool IsAsciiWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Task 2 (C1): why a name is refused, or "" when it is fine. Sizes are in
// bytes: std::string::size() counts bytes, which is what the rule means.
std::string NameProblem(std::string_view name) {
  if (name.empty()) return "name must not be empty";
  if (name.size() > kMaxNameBytes) return "name must be at most 100 bytes";
  return "";
}

// Task 3 (C1): the deliberately simple email rule of the contract.
std::string EmailProblem(std::string_view email) {
  if (email.size() > kMaxEmailBytes) return "email must be at most 254 bytes";
  for (char c : email) {
    if (IsAsciiWhitespace(c)) return "email must not contain whitespace";
  }
  const std::size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return "email must contain exactly one '@'";
  }
  if (at == 0) return "email needs a local part before '@'";
  const std::string_view domain = email.substr(at + 1);
  if (domain.find('.') == std::string_view::npos) return "the email's domain needs a '.'";
  if (domain.front() == '.' || domain.back() == '.') {
    return "the email's domain must not start or end with '.'";
  }
  return "";
}

// Task 4 (C3): emails are unique with ASCII letters folded to lower case;
// every other byte is compared as it is.
std::string FoldEmail(std::string_view email) {
  std::string folded(email);
  for (char& c : folded) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return folded;
}

class CreateUsersReactor final : public grpc::ServerReadReactor<CreateUserRequest> {
 public:
  CreateUsersReactor(grpc::CallbackServerContext* context, course::domain::UserStore& store,
                     const std::string& token, CreateUsersResponse* response)
      : context_(context), store_(store), response_(response) {
    // Given, M2 (lesson 08): the token is checked before any request (C8).
    if (grpc::Status auth = course::service::TokenPolicy(token).Check(*context); !auth.ok()) {
      Finish(auth);
      return;
    }
    StartRead(&incoming_);  // task 1: one read at a time
  }

  // Called once per StartRead: ok means incoming_ holds the next request;
  // !ok means the stream has ended, by a half-close or by a cancel.
  void OnReadDone(bool ok) override {
    if (!ok) {
      EndOfStream();
      return;
    }
    if (grpc::Status verdict = Accept(incoming_); !verdict.ok()) {
      Finish(verdict);  // C8: the first bad request ends the call
      return;
    }
    StartRead(&incoming_);
  }

  void OnDone() override { delete this; }

 private:
  // Judges the next request and, when it passes, keeps it for the commit.
  grpc::Status Accept(CreateUserRequest& request) {
    const std::string index = absl::StrCat("users[", batch_.size(), "]");
    // Task 2 and 3 (C1, C2): the fields first.
    if (std::string problem = NameProblem(request.name()); !problem.empty()) {
      return course::kit::InvalidField(index + ".name", problem);
    }
    if (std::string problem = EmailProblem(request.email()); !problem.empty()) {
      return course::kit::InvalidField(index + ".email", problem);
    }
    // Task 4 (C3): taken earlier in this stream, or by a stored user.
    std::string folded = FoldEmail(request.email());
    if (emails_.count(folded) > 0 || store_.EmailTaken(request.email())) {
      return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                          absl::StrCat("email ", request.email(), " is already taken"));
    }
    // Task 5 (C7): this would be request number 10,001.
    if (batch_.size() >= kMaxRequests) {
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                          "a CreateUsers call may hold at most 10000 requests");
    }
    emails_.insert(std::move(folded));
    batch_.push_back({std::move(*request.mutable_name()), std::move(*request.mutable_email())});
    return grpc::Status::OK;
  }

  void EndOfStream() {
    // Task 5 (C4): a cancel ends the reads too, and looks like a
    // half-close from here. Only a real half-close may commit.
    if (context_->IsCancelled()) {
      Finish(grpc::Status::CANCELLED);
      return;
    }
    // Task 1 (C5, C6): all or nothing in one step. InsertAll fails (with
    // ALREADY_EXISTS) when a racing batch took one of our emails since we
    // checked; an empty batch simply gets no ids.
    absl::StatusOr<std::vector<std::int32_t>> ids = store_.InsertAll(batch_);
    if (!ids.ok()) {
      // absl and gRPC share the canonical code numbers.
      Finish(grpc::Status(static_cast<grpc::StatusCode>(ids.status().code()),
                          std::string(ids.status().message())));
      return;
    }
    response_->mutable_ids()->Assign(ids->begin(), ids->end());
    Finish(grpc::Status::OK);
  }

  grpc::CallbackServerContext* const context_;
  course::domain::UserStore& store_;
  CreateUsersResponse* const response_;  // owned by gRPC, valid until OnDone
  CreateUserRequest incoming_;           // filled by each StartRead
  std::vector<course::domain::NewUser> batch_;
  std::unordered_set<std::string> emails_;  // folded emails of batch_
};

class ClientStreamingLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerReadReactor<CreateUserRequest>* CreateUsers(grpc::CallbackServerContext* context,
                                                          CreateUsersResponse* response) override {
    return new CreateUsersReactor(context, store(), token(), response);
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<ClientStreamingLesson>(argc, argv); }
