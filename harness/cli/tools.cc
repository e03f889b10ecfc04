// `course call`, `course bench` and `course tour`: one call by hand, a load
// run, and a walk through the reference server.
#include <iostream>
#include <memory>

#include "bench/load.h"
#include "cli/call.h"
#include "cli/command.h"
#include "cli/target_flags.h"

int RunTour(std::string token);  // tour.cc

namespace course::cli {

namespace {

void AddCallCommand(CLI::App& app, Commands& commands) {
  struct Flags {
    TargetFlags target;
    CallRequest request;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* call =
      app.add_subcommand("call", "make one course.v1 call by hand (JSON in, JSON out)");
  flags->target.AddTo(call);
  call->add_option("method", flags->request.method,
                   "GetUser, ListUsers, CreateUsers, ChatService/Chat, ...")
      ->required();
  call->add_option("json", flags->request.json,
                   "the request as JSON (an array for client streams)");
  call->add_option("--request-id", flags->request.request_id, "send x-request-id");
  commands.push_back({call, [flags] {
                        if (flags->target.target.empty() && flags->target.server_cmd.empty()) {
                          flags->target.target = "127.0.0.1:50051";
                        }
                        auto target = MakeTarget(flags->target);
                        if (!target.ok())
                          return CouldNotRun(std::string(target.status().message()));
                        flags->request.token = flags->target.token;
                        return MakeCall((*target)->Channel(), flags->request, std::cout, std::cerr);
                      }});
}

void AddBenchCommand(CLI::App& app, Commands& commands) {
  struct Flags {
    TargetFlags target;
    bench::LoadOptions load;
  };
  auto flags = std::make_shared<Flags>();
  CLI::App* bench = app.add_subcommand(
      "bench", "load a server with one RPC: calls/s, latency percentiles, status codes");
  flags->target.AddTo(bench);
  bench::AddLoadFlags(bench, &flags->load);
  commands.push_back({bench, [flags] {
                        auto target = MakeTarget(flags->target);
                        if (!target.ok())
                          return CouldNotRun(std::string(target.status().message()));
                        return bench::RunLoad(**target, flags->load, std::cout, std::cerr);
                      }});
}

}  // namespace

void AddToolCommands(CLI::App& app, Commands& commands) {
  AddCallCommand(app, commands);
  AddBenchCommand(app, commands);
  auto token = std::make_shared<std::string>();
  CLI::App* tour = app.add_subcommand("tour", "start the reference server and call each RPC");
  tour->add_option("--token", *token, "the token the reference server wants for CreateUsers");
  commands.push_back({tour, [token] { return RunTour(*token); }});
}

}  // namespace course::cli
