#include "course/gradebook.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "core/report.h"
#include "course/gradebook_html.h"
#include "course/text.h"

namespace course::lessons {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::size_t kMessageBytes = 2000;  // per task in gradebook.json

json LessonsJson(const std::vector<Lesson>& lessons) {
  json out = json::array();
  for (const Lesson& lesson : lessons) {
    json tasks = json::array();
    for (const Task& task : lesson.tasks) {
      tasks.push_back({{"n", task.n}, {"title", task.title}, {"points", task.points}});
    }
    out.push_back({{"id", lesson.id},
                   {"title", lesson.title},
                   {"max_points", lesson.MaxPoints()},
                   {"tasks", tasks}});
  }
  return out;
}

// One submission's row, from its own report (an empty object when it has
// none: it was never graded, and scores nothing).
json Row(const std::string& name, const json& report) {
  json points = json::object(), statuses = json::object(), tasks = json::array();
  double build = 0, start = 0, checks = 0;
  for (const auto& lesson : report.value("lessons", json::array())) {
    const std::string id = lesson.value("id", "");
    points[id] = lesson.value("points", 0);
    statuses[id] = lesson.value("status", "error");
    build += lesson.value("build_seconds", 0.0);
    start += lesson.value("server_start_seconds", 0.0);
    checks += lesson.value("check_seconds", 0.0) - lesson.value("server_start_seconds", 0.0);
    for (const auto& task : lesson.value("tasks", json::array())) {
      std::string message = task.value("message", "");
      if (message.size() > kMessageBytes) message.resize(kMessageBytes);
      tasks.push_back({{"lesson", id},
                       {"n", task.value("n", 0)},
                       {"status", task.value("status", "error")},
                       {"summary", FailureSummary(message)},
                       {"message", message}});
    }
  }
  return {{"submission", name},
          {"score", report.value("score", 0)},
          {"max_score", report.value("max_score", 0)},
          {"complete", report.value("complete", false)},
          {"seed", report.value("seed", std::uint64_t{0})},
          {"duration_s", report.value("duration_s", 0.0)},
          {"lessons", points},
          {"statuses", statuses},
          {"phases", {{"build_s", build}, {"server_start_s", start}, {"checks_s", checks}}},
          {"tasks", tasks}};
}

std::string Csv(const json& book) {
  std::ostringstream csv;
  csv << "submission,score,max_score,complete";
  for (const auto& lesson : book["lessons"]) csv << ",lesson_" << lesson.value("id", "");
  csv << "\n";
  for (const auto& row : book["submissions"]) {
    csv << '"' << absl::StrReplaceAll(row.value("submission", ""), {{"\"", "\"\""}}) << "\","
        << row.value("score", 0) << "," << row.value("max_score", 0) << ","
        << (row.value("complete", false) ? 1 : 0);
    const json points = row.value("lessons", json::object());
    for (const auto& lesson : book["lessons"]) {
      csv << "," << points.value(lesson.value("id", ""), 0);
    }
    csv << "\n";
  }
  return csv.str();
}

json ReadBook(const fs::path& dir, std::vector<std::string>& problems) {
  const fs::path path = dir / "gradebook.json";
  json book = json::parse(ReadFile(path), nullptr, false);
  if (!book.is_object() || !book.contains("submissions") || !book.contains("lessons")) {
    problems.push_back(absl::StrCat(path.string(),
                                    ": no gradebook (a shard that did not finish, or not "
                                    "the output folder of `grade-all --shard`)"));
    return json();
  }
  return book;
}

std::string ShardName(int index, int count) { return absl::StrCat(index, "/", count); }

}  // namespace

std::string FailureSummary(const std::string& message) {
  std::string line = message.substr(0, message.find('\n'));
  std::string out;
  for (std::size_t i = 0; i < line.size() && out.size() < 160;) {
    std::size_t digits = 0;
    while (i + digits < line.size() && std::isdigit(static_cast<unsigned char>(line[i + digits]))) {
      ++digits;
    }
    if (digits >= 4) {
      out += '#';
      i += digits;
    } else if (digits > 0) {
      out += line.substr(i, digits);
      i += digits;
    } else {
      out += line[i++];
    }
  }
  return out;
}

absl::Status WriteGradebookFiles(const std::string& out, const json& book) {
  const auto dump = [](const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  };
  const fs::path dir(out);
  if (absl::Status s = harness::WriteFileAtomically((dir / "gradebook.csv").string(), Csv(book));
      !s.ok()) {
    return s;
  }
  if (absl::Status s = harness::WriteFileAtomically((dir / "gradebook.json").string(), dump(book));
      !s.ok()) {
    return s;
  }
  return harness::WriteFileAtomically((dir / "gradebook.html").string(), GradebookHtml(book));
}

absl::Status WriteGradebook(const std::string& out, const std::vector<std::string>& names,
                            const std::vector<Lesson>& lessons, Shard shard) {
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  json rows = json::array();
  for (const std::string& name : sorted) {
    json report = json::parse(ReadFile(fs::path(out) / name / "report.json"), nullptr, false);
    rows.push_back(Row(name, report.is_object() ? report : json::object()));
  }
  const json book = {{"schema_version", 1},
                     {"shard", {{"index", shard.index}, {"count", shard.count}}},
                     {"lessons", LessonsJson(lessons)},
                     {"submissions", rows}};
  return WriteGradebookFiles(out, book);
}

absl::StatusOr<MergeResult> MergeGradebooks(const std::vector<std::string>& dirs,
                                            const std::string& out) {
  std::vector<std::string> problems;
  std::map<std::pair<int, int>, std::string> seen;  // (index, count) -> its folder
  std::map<std::string, std::string> owner;         // submission -> the folder that graded it
  std::set<int> counts;
  json lessons, rows = json::array(), merged_from = json::array();
  for (const std::string& dir : dirs) {
    json book = ReadBook(dir, problems);
    if (book.is_null()) continue;
    const int index = book.value(json::json_pointer("/shard/index"), 0);
    const int count = book.value(json::json_pointer("/shard/count"), 1);
    counts.insert(count);
    if (auto [at, fresh] = seen.emplace(std::make_pair(index, count), dir); !fresh) {
      problems.push_back(absl::StrCat("shard ", ShardName(index, count),
                                      " is given twice: ", at->second, " and ", dir));
      continue;
    }
    if (lessons.is_null()) lessons = book["lessons"];
    if (book["lessons"] != lessons) {
      problems.push_back(absl::StrCat(dir, ": graded other lessons than ", dirs.front()));
    }
    for (const auto& row : book["submissions"]) {
      const std::string name = row.value("submission", "");
      if (auto [at, fresh] = owner.emplace(name, dir); !fresh) {
        problems.push_back(
            absl::StrCat("submission ", name, " is in two gradebooks: ", at->second, " and ", dir));
      }
      if (ShardOf(name, count) != index) {
        problems.push_back(absl::StrCat("submission ", name, " is in shard ",
                                        ShardName(index, count), " (", dir, ") but belongs to ",
                                        ShardName(ShardOf(name, count), count)));
      }
      rows.push_back(row);
    }
    merged_from.push_back({{"index", index},
                           {"count", count},
                           {"dir", dir},
                           {"submissions", book["submissions"].size()}});
  }
  if (counts.size() > 1) {
    std::vector<int> list(counts.begin(), counts.end());
    problems.push_back(absl::StrCat(
        "the shards split the class differently (N = ", absl::StrJoin(list, ", "), ")"));
  } else if (counts.size() == 1) {
    std::vector<std::string> missing;
    for (int i = 0; i < *counts.begin(); ++i) {
      if (seen.count({i, *counts.begin()}) == 0) missing.push_back(ShardName(i, *counts.begin()));
    }
    if (!missing.empty()) {
      problems.push_back(absl::StrCat("missing shard", missing.size() > 1 ? "s " : " ",
                                      absl::StrJoin(missing, ", "),
                                      " (grade them, or give their folders)"));
    }
  }
  if (!problems.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot merge; nothing was written:\n  ", absl::StrJoin(problems, "\n  ")));
  }
  std::sort(rows.begin(), rows.end(), [](const json& a, const json& b) {
    return a.value("submission", "") < b.value("submission", "");
  });
  std::error_code failed;
  fs::create_directories(out, failed);
  const json book = {{"schema_version", 1},
                     {"shard", {{"index", 0}, {"count", 1}}},
                     {"merged_from", merged_from},
                     {"lessons", lessons},
                     {"submissions", rows}};
  if (absl::Status written = WriteGradebookFiles(out, book); !written.ok()) return written;
  return MergeResult{static_cast<int>(seen.size()), static_cast<int>(rows.size())};
}

}  // namespace course::lessons
