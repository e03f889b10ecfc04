// Lesson 02, unary RPC: GetUser, solved.
#include "absl/strings/str_cat.h"
#include "kit/kit.h"

namespace {

class UnaryLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    course::v1::User* response) override {
    // A unary handler finishes exactly once; the default reactor is enough.
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    // Task 1: validate before touching the store.
    if (request->id() <= 0) {
      reactor->Finish(course::kit::InvalidField("id", "id must be greater than 0"));
      return reactor;
    }
    // Task 2: the store answers NOT_FOUND itself; the message names the id.
    absl::StatusOr<course::domain::User> user = store().Get(request->id());
    if (!user.ok()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                   absl::StrCat("no user with id ", request->id())));
      return reactor;
    }
    // Task 3: the user exactly as stored.
    response->set_id(user->id);
    response->set_name(user->name);
    response->set_email(user->email);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<UnaryLesson>(argc, argv); }
