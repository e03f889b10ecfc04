#include "mutants/domain_mutants.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "domain/validation.h"

namespace course::mutants {

absl::StatusOr<domain::User> FaultyUserStore::Get(std::int32_t id) const {
  if (fault_ == "G1" && id <= 0) {
    return absl::NotFoundError(absl::StrCat("no user with id ", id));
  }
  absl::StatusOr<domain::User> user = store_.Get(id);
  if (fault_ == "G2" && absl::IsNotFound(user.status())) {
    return absl::NotFoundError("no such user");
  }
  if (fault_ == "G3" && user.ok()) user->email = domain::FoldEmail(user->email);
  return user;
}

std::optional<domain::User> FaultyUserStore::FirstAfter(std::int32_t after_id) const {
  return store_.FirstAfter(after_id);
}

bool FaultyUserStore::EmailTaken(std::string_view email) const { return store_.EmailTaken(email); }

absl::StatusOr<std::vector<std::int32_t>> FaultyUserStore::InsertAll(
    const std::vector<domain::NewUser>& users) {
  absl::StatusOr<std::vector<std::int32_t>> ids = store_.InsertAll(users);
  if (fault_ == "C5" && ids.ok()) std::reverse(ids->begin(), ids->end());
  return ids;
}

absl::Status FaultyBatch::Add(domain::NewUser user) {
  const std::size_t position = users_.size() + (fault_ == "C2" ? 1 : 0);
  const std::string index = absl::StrCat("users[", position, "]");
  // C3 compares emails as they were sent, and never asks the store, which
  // would fold them.
  std::string key = fault_ == "C3" ? user.email : domain::FoldEmail(user.email);
  auto taken = [&] {
    return keys_.count(key) > 0 || (fault_ != "C3" && store_.EmailTaken(user.email));
  };
  if (fault_ == "C8" && taken()) {
    return absl::AlreadyExistsError(absl::StrCat("email ", user.email, " is already taken"));
  }
  if (fault_ == "C1" && user.name.size() >= domain::kMaxNameBytes) {
    return domain::FieldError(absl::StrCat(index, ".name"), "name is too long");
  }
  if (fault_ == "C1-chars") {
    // Counts code points: every byte except a UTF-8 continuation byte.
    const auto characters = std::count_if(user.name.begin(), user.name.end(),
                                          [](char byte) { return (byte & 0xC0) != 0x80; });
    if (user.name.empty() || characters > 100) {
      return domain::FieldError(absl::StrCat(index, ".name"), "name is too long or empty");
    }
  } else if (auto problem = domain::NameProblem(user.name)) {
    return domain::FieldError(absl::StrCat(index, ".name"), *problem);
  }
  if (auto problem = domain::EmailProblem(user.email)) {
    return domain::FieldError(absl::StrCat(index, ".email"), *problem);
  }
  if (taken()) {
    return absl::AlreadyExistsError(absl::StrCat("email ", user.email, " is already taken"));
  }
  if (fault_ != "C7" && users_.size() >= domain::CreateBatch::kMaxRequests) {
    return absl::ResourceExhaustedError(absl::StrCat(
        "a CreateUsers call may hold at most ", domain::CreateBatch::kMaxRequests, " requests"));
  }
  keys_.insert(std::move(key));
  users_.push_back(std::move(user));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::int32_t>> FaultyBatch::Commit() {
  if (users_.empty()) return std::vector<std::int32_t>{};
  return store_.InsertAll(users_);
}

absl::Status FaultyHub::CheckMessage(const domain::ChatMessage& message) const {
  if (fault_ == "H1" && message.text.empty()) {
    // Judges every other field as the reference does.
    domain::ChatMessage with_text = message;
    with_text.text = " ";
    return ChatHub::CheckMessage(with_text);
  }
  return ChatHub::CheckMessage(message);
}

std::vector<std::shared_ptr<domain::ChatMember>> FaultyHub::RecipientsLocked(
    const Rooms& rooms, const domain::ChatMessage& message,
    const std::shared_ptr<domain::ChatMember>& sender) const {
  std::vector<std::shared_ptr<domain::ChatMember>> recipients =
      ChatHub::RecipientsLocked(rooms, message, sender);
  auto drop = [&](auto unwanted) {
    recipients.erase(std::remove_if(recipients.begin(), recipients.end(), unwanted),
                     recipients.end());
  };
  if (fault_ == "H2") {
    for (const auto& [name, room] : rooms) {
      for (const auto& member : room.members) {
        if (std::find(recipients.begin(), recipients.end(), member) == recipients.end()) {
          recipients.push_back(member);
        }
      }
    }
  }
  if (fault_ == "H3") drop([&](const auto& member) { return member == sender; });
  if (fault_ == "H4" && message.seq % 4 == 0) {
    drop([&](const auto& member) { return member != sender; });
  }
  return recipients;
}

}  // namespace course::mutants
