// The commands that read: GetUser and ListUsers, checked against the users
// of the model.
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
namespace {

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

}  // namespace

rc::Gen<CommandPtr> GetUserCommand(const Model& model) { return Make<GetUserCall>(model); }

rc::Gen<CommandPtr> ListUsersCommand(const Model& model) { return Make<ListUsersCall>(model); }

}  // namespace course::harness::model_detail
