// `course gradebook merge` and `course gradebook html`: joining the
// gradebooks of a class graded in shards, and drawing a gradebook again.
// The work is course/gradebook.h.
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "course/gradebook.h"
#include "course/text.h"

namespace course::cli {

namespace {

struct MergeFlags {
  std::vector<std::string> dirs;
  std::string out;
};

int Merge(const MergeFlags& flags) {
  std::string out = flags.out;
  if (out.empty()) {
    out = (std::filesystem::path(flags.dirs.front()).parent_path() / "merged").string();
  }
  absl::StatusOr<lessons::MergeResult> merged = lessons::MergeGradebooks(flags.dirs, out);
  if (!merged.ok()) return CouldNotRun(std::string(merged.status().message()));
  std::cout << "gradebook: " << out << "/gradebook.csv (" << merged->submissions
            << " submissions from " << merged->shards << " shards; also gradebook.json and "
            << "gradebook.html)\n";
  return 0;
}

int Html(const std::string& dir) {
  const std::filesystem::path path = std::filesystem::path(dir) / "gradebook.json";
  nlohmann::json book = nlohmann::json::parse(lessons::ReadFile(path), nullptr, false);
  if (!book.is_object() || !book.contains("submissions")) {
    return CouldNotRun("no gradebook at " + path.string());
  }
  if (absl::Status written = lessons::WriteGradebookFiles(dir, book); !written.ok()) {
    return CouldNotRun(std::string(written.message()));
  }
  std::cout << "gradebook: " << dir << "/gradebook.html\n";
  return 0;
}

}  // namespace

void AddGradebookCommands(CLI::App& app, Commands& commands) {
  CLI::App* gradebook =
      app.add_subcommand("gradebook", "join the gradebooks of shards, or draw one again");
  gradebook->require_subcommand(1);

  auto merge = std::make_shared<MergeFlags>();
  CLI::App* join = gradebook->add_subcommand(
      "merge",
      "join the gradebooks of `grade-all --shard I/N` (exit 2, writing nothing, when a shard "
      "is missing or given twice)");
  join->add_option("dirs", merge->dirs, "each shard's --out folder")
      ->required()
      ->check(CLI::ExistingDirectory);
  join->add_option("--out", merge->out, "where the merged gradebook goes (default: DIR/../merged)");
  commands.push_back({join, [merge] { return Merge(*merge); }});

  auto dir = std::make_shared<std::string>();
  CLI::App* html = gradebook->add_subcommand(
      "html", "write gradebook.csv and gradebook.html again from a folder's gradebook.json");
  html->add_option("dir", *dir, "a folder with gradebook.json")
      ->required()
      ->check(CLI::ExistingDirectory);
  commands.push_back({html, [dir] { return Html(*dir); }});
}

}  // namespace course::cli
