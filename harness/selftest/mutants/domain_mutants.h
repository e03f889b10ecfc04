// The mutants of the domain layer: the user store, a CreateUsers batch and the
// chat hub, each able to break one rule. Given a fault that is not theirs,
// they behave as the reference does.
#ifndef COURSE_HARNESS_SELFTEST_MUTANTS_DOMAIN_MUTANTS_H_
#define COURSE_HARNESS_SELFTEST_MUTANTS_DOMAIN_MUTANTS_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/chat_hub.h"
#include "domain/user_store.h"

namespace course::mutants {

// G1-G3, C5: a decorator of the reference store that bends its answers on
// the way out.
class FaultyUserStore final : public domain::UserStore {
 public:
  FaultyUserStore(domain::UserStore& store, std::string fault)
      : store_(store), fault_(std::move(fault)) {}

  absl::StatusOr<domain::User> Get(std::int32_t id) const override;
  std::optional<domain::User> FirstAfter(std::int32_t after_id) const override;
  bool EmailTaken(std::string_view email) const override;
  absl::StatusOr<std::vector<std::int32_t>> InsertAll(
      const std::vector<domain::NewUser>& users) override;

 private:
  domain::UserStore& store_;
  const std::string fault_;
};

// C1-C3, C7, C8: domain::CreateBatch written again with its mistakes. A copy
// rather than a subclass, because each mistake sits in the middle of
// CreateBatch::Add, and a hook for every one of them would bend the model
// answer out of shape.
class FaultyBatch {
 public:
  FaultyBatch(domain::UserStore& store, std::string fault)
      : store_(store), fault_(std::move(fault)) {}

  absl::Status Add(domain::NewUser user);
  absl::StatusOr<std::vector<std::int32_t>> Commit();
  std::size_t size() const { return users_.size(); }

 private:
  domain::UserStore& store_;
  const std::string fault_;
  std::vector<domain::NewUser> users_;
  // The emails of the batch so far, as the uniqueness rule compares them.
  std::unordered_set<std::string> keys_;
};

// H1-H4: the reference hub with its two hooks overridden.
class FaultyHub final : public domain::ChatHub {
 public:
  explicit FaultyHub(std::string fault) : fault_(std::move(fault)) {}

 protected:
  absl::Status CheckMessage(const domain::ChatMessage& message) const override;
  std::vector<std::shared_ptr<domain::ChatMember>> RecipientsLocked(
      const Rooms& rooms, const domain::ChatMessage& message,
      const std::shared_ptr<domain::ChatMember>& sender) const override;

 private:
  const std::string fault_;
};

}  // namespace course::mutants

#endif  // COURSE_HARNESS_SELFTEST_MUTANTS_DOMAIN_MUTANTS_H_
