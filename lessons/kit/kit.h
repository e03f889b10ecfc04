// The lesson kit: everything a lesson's server needs that the lesson does
// not ask the learner to write.
//
// A lesson's exercise is one small server. The learner overrides the RPCs of
// the lesson in a class derived from UserServiceBase or ChatServiceBase; the
// other RPCs keep working, served by the reference implementation, so the
// lesson's checks can set up their data (for example create users before
// testing GetUser). The server takes the same flags as the reference
// (`--listen`, `--token`, `--seed`) and prints `listening on HOST:PORT`, so
// the harness checks it exactly as it checks any server.
#ifndef COURSE_LESSONS_KIT_KIT_H_
#define COURSE_LESSONS_KIT_KIT_H_

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>
#include <vector>

#include "course/v1/course.grpc.pb.h"
#include "domain/chat_hub.h"
#include "domain/user_store.h"
#include "service/user_service.h"

namespace course::kit {

// What every service of a lesson server shares.
struct Context {
  domain::InMemoryUserStore store;
  domain::ChatHub hub;
  std::string token;  // --token; empty when the server runs without one
};

// Ends a call with UNIMPLEMENTED and a message naming the task to do. Stubs
// return this so that an untouched exercise fails with a clear pointer.
grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context,
                                        const std::string& todo);
grpc::Status UnimplementedStatus(const std::string& todo);

// INVALID_ARGUMENT carrying a google.rpc.BadRequest that names `field`: the
// rich error the contract asks for (lesson 06 shows how it is built).
grpc::Status InvalidField(const std::string& field, const std::string& description);

// UserService with every RPC served by the reference; override the lesson's.
class UserServiceBase : public v1::UserService::CallbackService {
 public:
  // reference_checks_token: whether the reference's CreateUsers enforces
  // --token (M2). Lesson 08 passes false and checks the token itself.
  explicit UserServiceBase(Context& context, bool reference_checks_token = true);

  grpc::ServerUnaryReactor* GetUser(grpc::CallbackServerContext* context,
                                    const v1::GetUserRequest* request, v1::User* response) override;
  grpc::ServerWriteReactor<v1::User>* ListUsers(grpc::CallbackServerContext* context,
                                                const v1::ListUsersRequest* request) override;
  grpc::ServerReadReactor<v1::CreateUserRequest>* CreateUsers(
      grpc::CallbackServerContext* context, v1::CreateUsersResponse* response) override;
  grpc::ServerBidiReactor<v1::Message, v1::Message>* Chat(
      grpc::CallbackServerContext* context) override;

 protected:
  domain::InMemoryUserStore& store() { return context_.store; }
  domain::ChatHub& hub() { return context_.hub; }
  const std::string& token() const { return context_.token; }

 private:
  Context& context_;
  service::UserServiceImpl reference_;
};

// ChatService served by the reference; override Chat in the chat lessons.
class ChatServiceBase : public v1::ChatService::CallbackService {
 public:
  explicit ChatServiceBase(Context& context);
  grpc::ServerBidiReactor<v1::Message, v1::Message>* Chat(
      grpc::CallbackServerContext* context) override;

 protected:
  domain::ChatHub& hub() { return context_.hub; }

 private:
  Context& context_;
  service::ChatServiceImpl reference_;
};

struct LessonConfig {
  // The reference's interceptors (request-id echo, call log). The
  // interceptor lesson turns them off and brings its own.
  bool reference_interceptors = true;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
};

struct Flags {
  std::string listen = "127.0.0.1:50051";
  int seed = 0;
  bool log = false;
};

// Reads --listen, --token (into context.token), --seed, --log. Returns -1 to
// go on, or the exit code to end with (help, or a bad flag).
int ParseFlags(int argc, char** argv, Context& context, Flags& flags);

// Builds the server with the given services, health and reflection, seeds
// the store, prints the listening line and serves until SIGTERM/SIGINT.
int Serve(const char* program, Context& context, const Flags& flags, grpc::Service& user_service,
          grpc::Service& chat_service, LessonConfig config);

// The usual main() of a lesson: `return course::kit::Main<MyUsers>(argc, argv);`
template <class UserService = UserServiceBase, class ChatService = ChatServiceBase>
int Main(int argc, char** argv, LessonConfig config = {}) {
  Context context;
  Flags flags;
  if (int code = ParseFlags(argc, argv, context, flags); code >= 0) return code;
  UserService users(context);  // after parsing: the services read the token
  ChatService chat(context);
  return Serve(argv[0], context, flags, users, chat, std::move(config));
}

}  // namespace course::kit

#endif  // COURSE_LESSONS_KIT_KIT_H_
