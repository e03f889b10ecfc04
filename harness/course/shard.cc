#include "course/shard.h"

#include <charconv>

#include "absl/strings/str_cat.h"

namespace course::lessons {

namespace {

constexpr int kMaxShards = 100000;

// FNV-1a, 64 bits: fixed by its definition, unlike std::hash, which may
// differ between standard libraries and so between two graders' machines.
std::uint64_t Fnv1a(const std::string& bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

bool ParseInt(const std::string& text, int& value) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [at, failed] = std::from_chars(text.data(), end, value);
  return failed == std::errc() && at == end;
}

}  // namespace

absl::StatusOr<Shard> ParseShard(const std::string& text) {
  const std::size_t slash = text.find('/');
  Shard shard;
  if (slash == std::string::npos || !ParseInt(text.substr(0, slash), shard.index) ||
      !ParseInt(text.substr(slash + 1), shard.count) || shard.count < 1 ||
      shard.count > kMaxShards || shard.index < 0 || shard.index >= shard.count) {
    return absl::InvalidArgumentError(
        absl::StrCat("--shard wants I/N with 0 <= I < N <= ", kMaxShards, " (got '", text,
                     "'); a Slurm array --array=0-(N-1) gives I as SLURM_ARRAY_TASK_ID"));
  }
  return shard;
}

int ShardOf(const std::string& name, int count) {
  if (count <= 1) return 0;
  return static_cast<int>(Fnv1a(name) % static_cast<std::uint64_t>(count));
}

std::vector<std::string> ShardMembers(const std::vector<std::string>& names, Shard shard) {
  std::vector<std::string> members;
  for (const std::string& name : names) {
    if (ShardOf(name, shard.count) == shard.index) members.push_back(name);
  }
  return members;
}

}  // namespace course::lessons
