// The project's command line. Each subcommand lives in its own file under
// cli/ (conform, call/bench/tour, the learner's commands, grading):
//
//   course-cli                           the course's status, then the reference checked
//   course-cli conform [--target A | --server-cmd CMD] ...
//   course-cli check NN | watch | hint | quiz | solution | reset | lessons-lint
//   course-cli grade SUBMISSION | grade-all DIR
//   course-cli call METHOD JSON | bench | tour
//
// Exit codes: 0 pass, 1 fail, 2 could not run.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/command.h"

int main(int argc, char** argv) {
  CLI::App app{"gRPC course: lessons, conformance checks and benchmarks for course.v1"};
  app.require_subcommand(0, 1);
  course::cli::Commands commands;
  course::cli::AddConformCommand(app, commands);
  course::cli::AddToolCommands(app, commands);
  course::cli::AddLearnCommands(app, commands);
  course::cli::AddGradeCommands(app, commands);
  course::cli::AddGradebookCommands(app, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "course: " << e.what() << " (try --help)\n";
    return 2;
  }
  for (const auto& command : commands) {
    if (command.app->parsed()) return command.run();
  }
  // No subcommand: the course's status screen, then the built-in default job.
  const int code = course::cli::StatusScreen();
  if (code != 0) return code;
  std::cout << "\n";
  return course::cli::ConformReferenceInOneLine();
}
