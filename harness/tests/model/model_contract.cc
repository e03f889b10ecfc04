// The contract's side of the model (model.h): the emails a run sends, C1 in
// the contract's words, and the outcome a CreateUsers call must have.
#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "tests/model/model.h"
#include "tests/model/model_parts.h"

namespace course::harness {
namespace model_detail {

std::string Fold(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

}  // namespace model_detail

using model_detail::Fold;
using model_detail::kDomain;
using model_detail::kMaxEmailBytes;
using model_detail::kMaxNameBytes;

namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
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

// The shapes that break C1 with a fixed text: what comes before the key and
// after the tag.
struct BrokenEmail {
  EmailShape shape;
  std::string before_key;
  std::string after_tag;
};

const BrokenEmail& BrokenEmailOf(EmailShape shape) {
  static const std::vector<BrokenEmail> kBroken = {
      {EmailShape::kNoAt, "", ".model.example"},
      {EmailShape::kTwoAts, "", "@at@model.example"},
      {EmailShape::kEmptyLocal, "@", ".model.example"},
      {EmailShape::kDomainWithoutDot, "", "@localhost"},
      {EmailShape::kDomainStartsWithDot, "", "@.model.example"},
      {EmailShape::kDomainEndsWithDot, "", "@model.example."},
      {EmailShape::kEmptyDomain, "", "@"},
      {EmailShape::kSpace, "", " x@model.example"},
      {EmailShape::kTab, "", "\t@model.example"},
  };
  for (const BrokenEmail& broken : kBroken) {
    if (broken.shape == shape) return broken;
  }
  return kBroken.front();  // not reached: every other shape is in the table
}

}  // namespace

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
  if (spec.shape == EmailShape::kValid) {
    segments = UsesLongestForm(spec.key)
                   ? std::vector<std::string>{key, tag, pad_to(kMaxEmailBytes), kDomain}
                   : std::vector<std::string>{key, tag, kDomain};
  } else if (spec.shape == EmailShape::kTooLong) {
    segments = {key, tag, pad_to(kMaxEmailBytes + 1), kDomain};
  } else {
    const BrokenEmail& broken = BrokenEmailOf(spec.shape);
    segments = {broken.before_key + key, tag, broken.after_tag};
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

}  // namespace course::harness
