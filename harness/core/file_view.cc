#include "core/file_view.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"

namespace course::harness {
namespace fs = std::filesystem;

namespace {

// Whether `uid` (whose only group is its own gid, as the grader sets it up)
// may pass through folder `dir`.
bool CanEnter(const fs::path& dir, int uid) {
  struct stat info {};
  if (stat(dir.c_str(), &info) != 0) return false;
  if (static_cast<int>(info.st_uid) == uid) return (info.st_mode & S_IXUSR) != 0;
  if (static_cast<int>(info.st_gid) == uid) return (info.st_mode & S_IXGRP) != 0;
  return (info.st_mode & S_IXOTH) != 0;
}

// `inner` is `outer` or lies below it.
bool Within(const fs::path& inner, const fs::path& outer) {
  auto [end, unused] = std::mismatch(outer.begin(), outer.end(), inner.begin(), inner.end());
  return end == outer.end();
}

// The highest folder between "/" (excluded) and `root` (included) that `uid`
// cannot enter, or `root` itself.
fs::path CoverFor(const fs::path& root, int uid) {
  fs::path walked = "/";
  for (const auto& part : root.relative_path()) {
    walked /= part;
    if (!CanEnter(walked, uid)) return walked;
  }
  return root;
}

// Writes "course: cannot lay out the grading view (WHAT PATH: errno N)" with
// system calls only: it runs between fork and exec.
void SayFailed(const char* what, const std::string& path) {
  const int error = errno;
  char number[16];
  int at = sizeof number;
  int value = error;
  do {
    number[--at] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0 && at > 0);
  const char head[] = "course: cannot lay out the grading view (";
  (void)!write(STDERR_FILENO, head, sizeof head - 1);
  (void)!write(STDERR_FILENO, what, strlen(what));
  (void)!write(STDERR_FILENO, " ", 1);
  (void)!write(STDERR_FILENO, path.data(), path.size());
  const char mid[] = ": errno ";
  (void)!write(STDERR_FILENO, mid, sizeof mid - 1);
  (void)!write(STDERR_FILENO, number + at, sizeof number - static_cast<std::size_t>(at));
  (void)!write(STDERR_FILENO, ")\n", 2);
}

}  // namespace

absl::StatusOr<FileView> PlanFileView(const std::vector<std::string>& roots,
                                      const std::vector<std::string>& show, int uid,
                                      const std::string& staging, const std::string& keep_outside) {
  FileView view;
  view.staging = staging;
  std::vector<fs::path> covers;
  for (const std::string& root : roots) {
    std::error_code failed;
    const fs::path canonical = fs::canonical(root, failed);
    if (failed) return absl::NotFoundError(absl::StrCat("no folder ", root));
    covers.push_back(CoverFor(canonical, uid));
  }
  std::sort(covers.begin(), covers.end());
  for (const fs::path& cover : covers) {
    const bool nested = std::any_of(view.cover.begin(), view.cover.end(),
                                    [&](const std::string& c) { return Within(cover, c); });
    if (nested) continue;
    if (Within(keep_outside, cover) || Within(cover, keep_outside)) {
      return absl::FailedPreconditionError(absl::StrCat("the grader's work folder ", keep_outside,
                                                        " lies inside ", cover.string(),
                                                        ", which the view hides"));
    }
    view.cover.push_back(cover.string());
  }
  std::vector<fs::path> shown;
  for (const std::string& path : show) {
    std::error_code failed;
    const fs::path canonical = fs::canonical(path, failed);
    if (failed) return absl::NotFoundError(absl::StrCat("the view names a missing path ", path));
    const bool covered = std::any_of(view.cover.begin(), view.cover.end(),
                                     [&](const std::string& c) { return Within(canonical, c); });
    if (covered) shown.push_back(canonical);
  }
  // A path below another shown folder comes with it.
  std::sort(shown.begin(), shown.end());
  shown.erase(std::unique(shown.begin(), shown.end()), shown.end());
  for (const fs::path& path : shown) {
    if (!view.show.empty() && Within(path, view.show.back())) continue;
    view.show.push_back(path.string());
  }
  return view;
}

PreparedView::PreparedView(const FileView& view) {
  if (view.empty()) return;
  auto make = [&](const fs::path& path, bool folder) {
    steps_.push_back({folder ? Op::kMkdir : Op::kTouch, path.string(), ""});
  };
  steps_.push_back({Op::kTmpfs, view.staging, "mode=0700"});
  std::vector<bool> folders;
  for (std::size_t i = 0; i < view.show.size(); ++i) {
    const bool folder = fs::is_directory(view.show[i]);
    folders.push_back(folder);
    const std::string stage = absl::StrCat(view.staging, "/", i);
    make(stage, folder);
    steps_.push_back({Op::kBind, view.show[i], stage});
  }
  for (const std::string& cover : view.cover) steps_.push_back({Op::kTmpfs, cover, "mode=0755"});
  for (std::size_t i = 0; i < view.show.size(); ++i) {
    const fs::path path = view.show[i];
    const auto cover = std::find_if(view.cover.begin(), view.cover.end(),
                                    [&](const std::string& c) { return Within(path, c); });
    fs::path walked = *cover;
    for (const auto& part : path.lexically_relative(*cover)) {
      if (walked / part == path) break;
      walked /= part;
      make(walked, true);
    }
    make(path, folders[i]);
    steps_.push_back({Op::kBind, absl::StrCat(view.staging, "/", i), path.string()});
    steps_.push_back({Op::kReadOnly, path.string(), ""});
  }
  steps_.push_back({Op::kDetach, view.staging, ""});
}

bool PreparedView::Apply() const {
  if (steps_.empty()) return true;
  if (unshare(CLONE_NEWNS) != 0) {
    SayFailed("unshare", "mount namespace");
    return false;
  }
  // Nothing done below may reach the host's mounts.
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    SayFailed("make private", "/");
    return false;
  }
  for (const Step& step : steps_) {
    const char* a = step.a.c_str();
    bool ok = true;
    switch (step.op) {
      case Op::kMkdir:
        ok = mkdir(a, 0755) == 0 || errno == EEXIST;
        break;
      case Op::kTouch: {
        const int fd = open(a, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        ok = fd >= 0;
        if (ok) close(fd);
        break;
      }
      case Op::kBind:
        ok = mount(a, step.b.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0;
        break;
      case Op::kTmpfs:
        ok = mount("tmpfs", a, "tmpfs", MS_NOSUID | MS_NODEV, step.b.c_str()) == 0;
        break;
      case Op::kReadOnly:
        ok = mount(nullptr, a, nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
                   nullptr) == 0;
        break;
      case Op::kDetach:
        ok = umount2(a, MNT_DETACH) == 0;
        break;
    }
    if (!ok) {
      static const char* const kNames[] = {"mkdir",    "create",    "bind",
                                           "tmpfs on", "read-only", "detach"};
      SayFailed(kNames[static_cast<int>(step.op)], step.a);
      return false;
    }
  }
  return true;
}

}  // namespace course::harness
