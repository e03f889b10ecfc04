// The command line's shape: each file under cli/ adds its subcommands, with
// their flags, and says what runs when one is chosen. Files here parse flags
// and print; the work is done by the layers below (course/, core/, bench/).
#ifndef COURSE_HARNESS_CLI_COMMAND_H_
#define COURSE_HARNESS_CLI_COMMAND_H_

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace course::cli {

struct Command {
  CLI::App* app;
  std::function<int()> run;  // returns the exit code: 0 pass, 1 fail, 2 could not run
};
using Commands = std::vector<Command>;

// Prints "course: WHAT" on stderr and returns 2 (the run could not happen).
int CouldNotRun(const std::string& what);

void AddConformCommand(CLI::App& app, Commands& commands);  // conform.cc
void AddToolCommands(CLI::App& app, Commands& commands);    // tools.cc: call, bench, tour
void AddLearnCommands(CLI::App& app, Commands& commands);   // learn.cc
void AddGradeCommands(CLI::App& app, Commands& commands);   // grade.cc
// gradebook.cc: gradebook merge, gradebook html
void AddGradebookCommands(CLI::App& app, Commands& commands);

// `./course` with no subcommand: the status screen, then the built-in
// default job, a conformance run of the reference server in one line.
int StatusScreen();               // learn.cc
int ConformReferenceInOneLine();  // conform.cc

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_COMMAND_H_
