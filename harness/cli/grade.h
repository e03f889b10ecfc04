// `course grade` and `course grade-all`: grading submissions laid out like
// exercises/, isolated and bounded, into the report formats platforms read.
#ifndef COURSE_HARNESS_CLI_GRADE_H_
#define COURSE_HARNESS_CLI_GRADE_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/learn.h"

namespace course::cli {

struct GradeOptions {
  std::string submission;            // a folder like exercises/, or a .tar/.tar.gz/.tgz of one
  std::vector<std::string> lessons;  // ids; empty: every lesson in the manifest
  std::string json, junit, gradescope, exercism;  // report paths
  std::optional<std::uint64_t> seed;              // drawn from /dev/urandom when unset
  std::chrono::seconds build_budget{180};         // compiling one lesson
  std::chrono::seconds lesson_budget{120};        // checking one lesson
  std::chrono::milliseconds check_budget{15000};
  std::size_t memory_bytes = std::size_t{2} << 30;  // per process (address space)
  int processes = 256;                              // per grading uid
  int uid = -1;  // the uid submissions run as; -1: chosen (when root)
  bool quiet = false;
  // Grade the course's own solutions first (one lesson of each kind, the same
  // way), and refuse to grade when they fall short: see Preflight.
  bool preflight = true;
};

int GradeCommand(const Paths& paths, GradeOptions options);
// Grades every submission (folder or archive) in `dir`, `jobs` at a time,
// writing DIR/../gradebook.{csv,json} (or --out) and skipping submissions
// already graded; run again to resume.
int GradeAllCommand(const Paths& paths, const std::string& dir, const std::string& out, int jobs,
                    const GradeOptions& options);

}  // namespace course::cli

#endif  // COURSE_HARNESS_CLI_GRADE_H_
