#include "kit/kit.h"

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/health_check_service_interface.h>
#include <pthread.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <iostream>

#include "domain/validation.h"
#include "service/drain.h"
#include "service/interceptors.h"
#include "service/status_convert.h"

namespace course::kit {

grpc::Status UnimplementedStatus(const std::string& todo) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "not written yet: " + todo);
}

grpc::Status InvalidField(const std::string& field, const std::string& description) {
  return service::ToGrpcStatus(domain::FieldError(field, description));
}

grpc::ServerUnaryReactor* Unimplemented(grpc::CallbackServerContext* context,
                                        const std::string& todo) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(UnimplementedStatus(todo));
  return reactor;
}

UserServiceBase::UserServiceBase(Context& context, bool reference_checks_token)
    : context_(context),
      reference_(context.store, context.hub,
                 service::TokenPolicy(reference_checks_token ? context.token : "")) {}

grpc::ServerUnaryReactor* UserServiceBase::GetUser(grpc::CallbackServerContext* context,
                                                   const v1::GetUserRequest* request,
                                                   v1::User* response) {
  return reference_.GetUser(context, request, response);
}

grpc::ServerWriteReactor<v1::User>* UserServiceBase::ListUsers(
    grpc::CallbackServerContext* context, const v1::ListUsersRequest* request) {
  return reference_.ListUsers(context, request);
}

grpc::ServerReadReactor<v1::CreateUserRequest>* UserServiceBase::CreateUsers(
    grpc::CallbackServerContext* context, v1::CreateUsersResponse* response) {
  return reference_.CreateUsers(context, response);
}

grpc::ServerBidiReactor<v1::Message, v1::Message>* UserServiceBase::Chat(
    grpc::CallbackServerContext* context) {
  return reference_.Chat(context);
}

ChatServiceBase::ChatServiceBase(Context& context) : context_(context), reference_(context.hub) {}

grpc::ServerBidiReactor<v1::Message, v1::Message>* ChatServiceBase::Chat(
    grpc::CallbackServerContext* context) {
  return reference_.Chat(context);
}

int ParseFlags(int argc, char** argv, Context& context, Flags& flags) {
  CLI::App app{"a lesson's course.v1 server"};
  app.add_option("--listen", flags.listen, "HOST:PORT; port 0 picks a free port");
  app.add_option("--token", context.token, "the token CreateUsers wants (M2)");
  app.add_option("--seed", flags.seed, "create N users at start")->check(CLI::Range(0, 1000000));
  app.add_flag("--log", flags.log, "log one line per call to stderr");
  app.add_flag("--quiet", "accepted for compatibility with the reference (the default)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << argv[0] << ": " << e.what() << "\n";
    return 2;
  }
  return -1;
}

int Serve(const char* program, Context& context, const Flags& flags, grpc::Service& user_service,
          grpc::Service& chat_service, LessonConfig config) {
  context.store.Seed(flags.seed);
  const std::string& listen = flags.listen;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(&user_service);
  builder.RegisterService(&chat_service);
  auto interceptors = std::move(config.interceptors);
  // Counts calls in flight, so that SIGTERM ends the server as soon as none
  // is left (service/drain.h). Outlives the server: declared before it.
  service::CallsInFlight calls;
  interceptors.push_back(calls.MakeFactory());
  if (config.reference_interceptors) {
    interceptors.push_back(std::make_unique<service::RequestIdInterceptorFactory>());
    if (flags.log)
      interceptors.push_back(std::make_unique<service::CallLogInterceptorFactory>(stderr));
  }
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << program << ": cannot listen on " << listen << "\n";
    return 1;
  }
  server->GetHealthCheckService()->SetServingStatus("course.v1.UserService", true);
  server->GetHealthCheckService()->SetServingStatus("course.v1.ChatService", true);
  std::cout << "listening on " << listen.substr(0, listen.rfind(':')) << ":" << port << std::endl;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  service::DrainAndShutdown(*server, calls, std::chrono::seconds(5));
  return 0;
}

}  // namespace course::kit
