// A class's gradebook: gradebook.csv (one row per submission, for a
// spreadsheet), gradebook.json (the same with every task's verdict and
// failure, and which shard of the class it covers) and gradebook.html (what
// a teacher looks at, course/gradebook_html.h); and joining the gradebooks
// of a class graded in shards into one.
//
// gradebook.json (schema_version 1):
//   shard        {"index": I, "count": N}; a whole class is 0/1
//   merged_from  (a merged gradebook) one {"index", "count", "dir", "submissions"} per shard
//   lessons      the graded lessons: {"id", "title", "max_points", "tasks": [{"n", "title",
//                "points"}]}
//   submissions  sorted by name: {"submission", "score", "max_score", "complete", "seed",
//                "duration_s", "lessons": {ID: points}, "statuses": {ID: pass|fail|error},
//                "phases": {"build_s", "server_start_s", "checks_s"},
//                "tasks": [{"lesson", "n", "status", "summary", "message"}]}
#ifndef COURSE_HARNESS_COURSE_GRADEBOOK_H_
#define COURSE_HARNESS_COURSE_GRADEBOOK_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "course/manifest.h"
#include "course/shard.h"

namespace course::lessons {

// The gradebook of `names`, each from its own report at `out`/NAME/report.json,
// written as gradebook.csv, .json and .html in `out`.
absl::Status WriteGradebook(const std::string& out, const std::vector<std::string>& names,
                            const std::vector<Lesson>& lessons, Shard shard = {});

// Writes the three files of a gradebook already made (the JSON above).
absl::Status WriteGradebookFiles(const std::string& out, const nlohmann::json& book);

// A failure message as the class report groups it: its first line, numbers
// of four or more digits (ports, pids, sizes) as '#', at most 160 bytes.
std::string FailureSummary(const std::string& message);

struct MergeResult {
  int shards = 0;
  int submissions = 0;
};

// Joins the gradebooks in `dirs` (each a shard's output folder) into `out`.
// FailedPrecondition, listing every problem, when a shard is missing, given
// twice or of another split, when a submission is in two of them or in the
// wrong one, or when they graded different lessons; nothing is written then.
absl::StatusOr<MergeResult> MergeGradebooks(const std::vector<std::string>& dirs,
                                            const std::string& out);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_GRADEBOOK_H_
