// A block of grading uids that no other grading on this machine uses while
// this one holds it. Grading runs as root and ends a submission's strays by
// killing every process of its uid, so two gradings that shared a uid (two
// `grade-all` runs side by side, or ctest's grading tests) would stop each
// other's servers. Each block is guarded by an flock on a file in /run/lock
// (or /tmp); the lock goes with the process, so a crashed grader frees it.
#pragma once

#include "absl/status/statusor.h"

namespace course::lessons {

class UidBlock {
 public:
  static constexpr int kFirst = 61000;  // the blocks cover 61000..62999
  static constexpr int kSize = 20;      // 16 grade-all slots, a pre-flight, spare
  static constexpr int kBlocks = 100;

  // The first free block; an error when all are taken.
  static absl::StatusOr<UidBlock> Take();
  UidBlock(UidBlock&& other) noexcept;
  UidBlock& operator=(UidBlock&& other) noexcept;
  UidBlock(const UidBlock&) = delete;
  UidBlock& operator=(const UidBlock&) = delete;
  ~UidBlock();

  int base() const { return base_; }

 private:
  UidBlock(int fd, int base) : fd_(fd), base_(base) {}
  int fd_ = -1;
  int base_ = -1;
};

}  // namespace course::lessons
