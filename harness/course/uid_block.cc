#include "course/uid_block.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <filesystem>
#include <utility>

#include "absl/strings/str_cat.h"

namespace course::lessons {

absl::StatusOr<UidBlock> UidBlock::Take() {
  std::error_code failed;
  const std::string folder =
      std::filesystem::is_directory("/run/lock", failed) ? "/run/lock" : "/tmp";
  for (int block = 0; block < kBlocks; ++block) {
    const std::string path = absl::StrCat(folder, "/course-grading-uids-", block, ".lock");
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) continue;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return UidBlock(fd, kFirst + block * kSize);
    close(fd);
  }
  return absl::ResourceExhaustedError(
      absl::StrCat("all ", kBlocks, " blocks of grading uids (", kFirst, "..",
                   kFirst + kBlocks * kSize - 1, ") are held by other gradings on this machine (",
                   folder, "/course-grading-uids-*.lock); wait for them, or pass --uid"));
}

UidBlock::UidBlock(UidBlock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), base_(other.base_) {}

UidBlock& UidBlock::operator=(UidBlock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    base_ = other.base_;
  }
  return *this;
}

UidBlock::~UidBlock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace course::lessons
