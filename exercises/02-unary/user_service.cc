// Lesson 02, unary RPC: write GetUser.
//
// Read lessons/02-unary/README.md first. Check your work with
//   ./course check 02
// Everything except GetUser is already served for you by the kit, so the
// checks can create users before they fetch them.
#include "kit/kit.h"

namespace {

class UnaryLesson final : public course::kit::UserServiceBase {
 public:
  using UserServiceBase::UserServiceBase;

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const course::v1::GetUserRequest* request,
                                    course::v1::User* response) override {
    // TODO(task 1): an id <= 0 is INVALID_ARGUMENT naming the field "id"
    //               (course::kit::InvalidField builds that status).
    // TODO(task 2): look the id up with store().Get(id); an unknown id is
    //               NOT_FOUND with the id in the message.
    // TODO(task 3): copy the stored user into *response and finish OK.
    (void)request;
    (void)response;
    return course::kit::Unimplemented(context, "TODO(task 1): GetUser");
  }
};

}  // namespace

int main(int argc, char** argv) { return course::kit::Main<UnaryLesson>(argc, argv); }
