// The mutant server: the reference with one deliberate fault, for proving
// that the check of each rule can fail (see ../mutants.txt).
//
//   course-mutant-server --break G1 --listen 127.0.0.1:0 --token secret
//   course-mutant-server --list
//
// Speaks like the reference server: `listening on HOST:PORT` once it serves,
// one log line per call unless --quiet, a drain on SIGTERM or SIGINT.
#include <CLI/CLI.hpp>

#include <cstddef>
#include <cstdio>
#include <iostream>
#include <string>

#include "mutants/faults.h"
#include "mutants/mutant_server.h"
#include "service/stop_signals.h"

namespace {

void PrintCatalogue(std::ostream& out) {
  for (const course::mutants::FaultInfo* fault = course::mutants::Catalogue();
       fault->name != nullptr; ++fault) {
    const std::size_t length = std::string(fault->name).size();
    out << "  " << fault->name << std::string(length < 16 ? 16 - length : 1, ' ') << fault->what
        << "\n";
  }
}

int RunServer(const course::mutants::MutantServerOptions& options) {
  course::service::StopSignals stop_signals;  // before gRPC starts its threads

  auto server = course::mutants::MutantServer::Start(options);
  if (!server.ok()) {
    std::cerr << "course-mutant-server: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "listening on " << (*server)->address() << std::endl;

  const int signal = stop_signals.Wait();
  std::cerr << "course-mutant-server: stopping (signal " << signal
            << "), draining calls for up to 5 s\n";
  (*server)->Shutdown(std::chrono::seconds(5));
  // S4: drains like the reference, then reports a failure it did not have.
  return options.fault == "S4" ? 3 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"The course's reference server with one deliberate fault (course.v1)"};
  course::mutants::MutantServerOptions options;
  options.listen = "127.0.0.1:50051";
  options.call_log = stderr;
  bool quiet = false;
  bool list = false;
  app.add_option("--break", options.fault, "the one rule this mutant breaks (see --list)");
  app.add_flag("--list", list, "print every fault this server knows, and exit");
  app.add_option("--listen", options.listen, "HOST:PORT to serve on; port 0 picks a free port")
      ->capture_default_str();
  app.add_option("--seed", options.seed, "create N predictable users at start")
      ->check(CLI::Range(0, 1000000));
  app.add_option("--token", options.token, "require `authorization: Bearer TOKEN` for CreateUsers");
  app.add_flag("--quiet", quiet, "do not log calls to stderr");
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "course-mutant-server: " << e.what() << " (try --help)\n";
    return 2;
  }
  if (list) {
    PrintCatalogue(std::cout);
    return 0;
  }
  if (!course::mutants::IsKnownFault(options.fault)) {
    std::cerr << "course-mutant-server: "
              << (options.fault.empty() ? std::string("--break FAULT is required")
                                        : "no fault named " + options.fault)
              << "; the faults are:\n";
    PrintCatalogue(std::cerr);
    return 2;
  }
  if (quiet) options.call_log = nullptr;
  return RunServer(options);
}
