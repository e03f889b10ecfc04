// Sharding a class: `grade-all --shard I/N` grades the submissions whose
// name hashes to I, so that N graders on N machines (a Slurm job array, a
// Kubernetes Indexed Job, a CI matrix) share a class without talking to each
// other, and every submission is graded by exactly one of them.
#ifndef COURSE_HARNESS_COURSE_SHARD_H_
#define COURSE_HARNESS_COURSE_SHARD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace course::lessons {

// Shard `index` of `count` (0 <= index < count). The whole class is 0/1.
struct Shard {
  int index = 0;
  int count = 1;
};

// "I/N" with 0 <= I < N <= 100000; anything else is InvalidArgument.
absl::StatusOr<Shard> ParseShard(const std::string& text);

// The shard a submission belongs to among `count`. It depends on the name
// alone (a hash of its bytes, the same on every machine and build), never on
// where the name stands in a listing, so that graders which list the folder
// in different orders, or see files appear, still agree.
int ShardOf(const std::string& name, int count);

// The names of `names` in `shard`, in their given order.
std::vector<std::string> ShardMembers(const std::vector<std::string>& names, Shard shard);

}  // namespace course::lessons

#endif  // COURSE_HARNESS_COURSE_SHARD_H_
