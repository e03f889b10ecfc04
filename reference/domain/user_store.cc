#include "domain/user_store.h"

#include <mutex>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/validation.h"

namespace course::domain {

absl::StatusOr<User> InMemoryUserStore::Get(std::int32_t id) const {
  if (id <= 0) return FieldError("id", "id must be greater than 0");
  std::shared_lock lock(mu_);
  auto it = users_.find(id);
  if (it == users_.end()) {
    return absl::NotFoundError(absl::StrCat("no user with id ", id));
  }
  return it->second;
}

std::optional<User> InMemoryUserStore::FirstAfter(std::int32_t after_id) const {
  std::shared_lock lock(mu_);
  auto it = users_.upper_bound(after_id);
  if (it == users_.end()) return std::nullopt;
  return it->second;
}

bool InMemoryUserStore::EmailTaken(std::string_view email) const {
  const std::string folded = FoldEmail(email);
  std::shared_lock lock(mu_);
  return folded_emails_.count(folded) > 0;
}

absl::StatusOr<std::vector<std::int32_t>> InMemoryUserStore::InsertAll(
    const std::vector<NewUser>& users) {
  std::vector<std::string> folded;
  folded.reserve(users.size());
  for (const NewUser& user : users) folded.push_back(FoldEmail(user.email));

  std::unique_lock lock(mu_);
  // Another batch may have committed one of these emails since the caller
  // checked; the whole batch then fails, leaving the store untouched.
  for (std::size_t i = 0; i < users.size(); ++i) {
    if (folded_emails_.count(folded[i]) > 0) {
      return absl::AlreadyExistsError(absl::StrCat("email ", users[i].email, " is already taken"));
    }
  }
  std::vector<std::int32_t> ids;
  ids.reserve(users.size());
  for (std::size_t i = 0; i < users.size(); ++i) {
    const std::int32_t id = ++last_id_;
    users_.emplace(id, User{id, users[i].name, users[i].email});
    folded_emails_.insert(std::move(folded[i]));
    ids.push_back(id);
  }
  return ids;
}

std::size_t InMemoryUserStore::size() const {
  std::shared_lock lock(mu_);
  return users_.size();
}

void InMemoryUserStore::Seed(int n) {
  std::vector<NewUser> users;
  for (int i = 1; i <= n; ++i) {
    users.push_back({absl::StrCat("Seed User ", i), absl::StrCat("user", i, "@seed.example")});
  }
  // Seeding an empty store cannot collide; a second Seed call would.
  (void)InsertAll(users);
}

absl::Status CreateBatch::Add(NewUser user) {
  const std::string index = absl::StrCat("users[", users_.size(), "]");
  if (auto problem = NameProblem(user.name)) {
    return FieldError(absl::StrCat(index, ".name"), *problem);
  }
  if (auto problem = EmailProblem(user.email)) {
    return FieldError(absl::StrCat(index, ".email"), *problem);
  }
  // Asked only once the fields are valid (C8), so an invalid request never
  // reaches the store.
  std::string folded = FoldEmail(user.email);
  if (folded_emails_.count(folded) > 0 || store_.EmailTaken(user.email)) {
    return absl::AlreadyExistsError(absl::StrCat("email ", user.email, " is already taken"));
  }
  if (users_.size() >= kMaxRequests) {
    return absl::ResourceExhaustedError(
        absl::StrCat("a CreateUsers call may hold at most ", kMaxRequests, " requests"));
  }
  folded_emails_.insert(std::move(folded));
  users_.push_back(std::move(user));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::int32_t>> CreateBatch::Commit() {
  if (users_.empty()) return std::vector<std::int32_t>{};
  return store_.InsertAll(users_);
}

}  // namespace course::domain
