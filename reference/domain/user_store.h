// The users of the course contract, kept in memory, with no gRPC in sight.
#ifndef COURSE_REFERENCE_DOMAIN_USER_STORE_H_
#define COURSE_REFERENCE_DOMAIN_USER_STORE_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace course::domain {

struct User {
  std::int32_t id = 0;
  std::string name;
  std::string email;
  friend bool operator==(const User& a, const User& b) {
    return a.id == b.id && a.name == b.name && a.email == b.email;
  }
};

struct NewUser {
  std::string name;
  std::string email;
};

// Where users live. Small on purpose, so tests can stand in for it.
class UserStore {
 public:
  virtual ~UserStore() = default;
  // G1, G2: INVALID_ARGUMENT (field "id") or NOT_FOUND naming the id.
  virtual absl::StatusOr<User> Get(std::int32_t id) const = 0;
  // The user with the smallest id greater than after_id (L2).
  virtual std::optional<User> FirstAfter(std::int32_t after_id) const = 0;
  // Whether a stored user has this email, compared case-folded (C3).
  virtual bool EmailTaken(std::string_view email) const = 0;
  // Stores every user or none (C4): ALREADY_EXISTS when an email was taken
  // in the meantime by another batch. Ids are increasing and greater than
  // every id handed out before (C5).
  virtual absl::StatusOr<std::vector<std::int32_t>> InsertAll(
      const std::vector<NewUser>& users) = 0;
};

// A thread-safe in-memory store. Readers share a lock; a batch insert takes
// it exclusively, so a batch appears all at once.
class InMemoryUserStore final : public UserStore {
 public:
  absl::StatusOr<User> Get(std::int32_t id) const override;
  std::optional<User> FirstAfter(std::int32_t after_id) const override;
  bool EmailTaken(std::string_view email) const override;
  absl::StatusOr<std::vector<std::int32_t>> InsertAll(const std::vector<NewUser>& users) override;

  std::size_t size() const;
  // Adds n users with predictable names and emails (user1@seed.example, ...).
  void Seed(int n);

 private:
  mutable std::shared_mutex mu_;
  std::map<std::int32_t, User> users_;
  std::unordered_set<std::string> folded_emails_;
  std::int32_t last_id_ = 0;
};

// One CreateUsers call: requests are judged as they arrive, in stream order
// (C8), and nothing reaches the store until Commit.
class CreateBatch {
 public:
  static constexpr std::size_t kMaxRequests = 10000;

  explicit CreateBatch(UserStore& store) : store_(store) {}

  // Checks the next request: C1 (INVALID_ARGUMENT naming users[i].name or
  // users[i].email), then C3 (ALREADY_EXISTS), then C7 (RESOURCE_EXHAUSTED).
  absl::Status Add(NewUser user);
  // Stores the whole batch, or nothing (C4, C5, C6).
  absl::StatusOr<std::vector<std::int32_t>> Commit();

  std::size_t size() const { return users_.size(); }

 private:
  UserStore& store_;
  std::vector<NewUser> users_;
  std::unordered_set<std::string> folded_emails_;
};

}  // namespace course::domain

#endif  // COURSE_REFERENCE_DOMAIN_USER_STORE_H_
