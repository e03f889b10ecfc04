#include "course/gradebook_html.h"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/report.h"

namespace course::lessons {
using nlohmann::json;

namespace {

constexpr int kMostBins = 20;
constexpr int kMessagesPerTask = 5;

constexpr const char* kStyle = R"(
body { font: 15px/1.4 system-ui, sans-serif; margin: 2em auto; max-width: 62em; color: #222; }
h1 { margin-bottom: 0.2em; } h2 { margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.meta { color: #555; }
svg text { font: 11px sans-serif; fill: #333; }
svg .bar { fill: #4a78b5; }
table.heatmap { border-collapse: collapse; }
table.heatmap th, table.heatmap td { border: 1px solid #fff; padding: 0.3em 0.6em; text-align: center; }
table.heatmap th { background: #eee; text-align: left; }
table.heatmap td.none { background: #f4f4f4; color: #999; }
.task h3 { font-size: 1em; margin-bottom: 0.3em; }
.task ol { margin-top: 0; }
.task code { white-space: pre-wrap; word-break: break-word; }
.count { display: inline-block; min-width: 3em; font-weight: bold; }
)";

// The bins of the score histogram: [lo, hi] inclusive, covering 0..max.
std::vector<std::pair<int, int>> Bins(int max) {
  const int bins = std::min(max + 1, kMostBins);
  const int width = (max + 1 + bins - 1) / bins;
  std::vector<std::pair<int, int>> out;
  for (int lo = 0; lo <= max; lo += width) out.emplace_back(lo, std::min(max, lo + width - 1));
  return out;
}

std::string Histogram(const json& rows, int max) {
  const auto bins = Bins(max);
  std::vector<int> counts(bins.size(), 0);
  for (const auto& row : rows) {
    const int score = std::clamp(row.value("score", 0), 0, max);
    for (std::size_t i = 0; i < bins.size(); ++i) {
      if (score >= bins[i].first && score <= bins[i].second) ++counts[i];
    }
  }
  const int tallest = std::max(1, *std::max_element(counts.begin(), counts.end()));
  const int bar = std::max(8, 600 / static_cast<int>(bins.size()));
  const int width = bar * static_cast<int>(bins.size()) + 20, height = 200;
  std::string svg = absl::StrFormat(
      "<svg id=\"histogram\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
      "aria-label=\"score distribution\">\n",
      width, height + 40, width, height + 40);
  for (std::size_t i = 0; i < bins.size(); ++i) {
    const int h = counts[i] * height / tallest;
    const int x = 10 + static_cast<int>(i) * bar;
    const std::string label = bins[i].first == bins[i].second
                                  ? absl::StrCat(bins[i].first)
                                  : absl::StrCat(bins[i].first, "-", bins[i].second);
    absl::StrAppendFormat(
        &svg,
        "<g class=\"bin\" data-lo=\"%d\" data-hi=\"%d\" data-count=\"%d\"><title>score %s: %d "
        "submission(s)</title><rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\"/>"
        "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text><text x=\"%d\" y=\"%d\" "
        "text-anchor=\"middle\">%s</text></g>\n",
        bins[i].first, bins[i].second, counts[i], label, counts[i], x + 1, height - h + 15, bar - 2,
        h, x + bar / 2, height - h + 12, counts[i], x + bar / 2, height + 30, label);
  }
  return svg + "</svg>\n";
}

struct TaskTally {
  int passed = 0, graded = 0;
  std::map<std::string, int> failures;  // summary -> how many submissions
};
using Tallies = std::map<std::pair<std::string, int>, TaskTally>;  // (lesson, task)

Tallies Tally(const json& rows) {
  Tallies tallies;
  for (const auto& row : rows) {
    for (const auto& task : row.value("tasks", json::array())) {
      TaskTally& t = tallies[{task.value("lesson", ""), task.value("n", 0)}];
      ++t.graded;
      if (task.value("status", "") == "pass") {
        ++t.passed;
      } else {
        ++t.failures[task.value("summary", "")];
      }
    }
  }
  return tallies;
}

std::string Heatmap(const json& lessons, const Tallies& tallies) {
  std::size_t widest = 0;
  for (const auto& lesson : lessons) widest = std::max(widest, lesson["tasks"].size());
  std::string html = "<table class=\"heatmap\" id=\"heatmap\">\n<tr><th>lesson</th>";
  for (std::size_t n = 1; n <= widest; ++n) absl::StrAppend(&html, "<th>task ", n, "</th>");
  html += "</tr>\n";
  for (const auto& lesson : lessons) {
    const std::string id = lesson.value("id", "");
    absl::StrAppend(&html, "<tr><th>", HtmlEscape(id), " ", HtmlEscape(lesson.value("title", "")),
                    "</th>");
    for (const auto& task : lesson["tasks"]) {
      const int n = task.value("n", 0);
      auto it = tallies.find({id, n});
      const TaskTally t = it == tallies.end() ? TaskTally{} : it->second;
      const std::string attributes = absl::StrFormat(
          "data-lesson=\"%s\" data-task=\"%d\" data-passed=\"%d\" data-graded=\"%d\"",
          HtmlEscape(id), n, t.passed, t.graded);
      if (t.graded == 0) {
        absl::StrAppend(&html, "<td class=\"none\" ", attributes, ">-</td>");
        continue;
      }
      const double rate = static_cast<double>(t.passed) / t.graded;
      absl::StrAppendFormat(&html,
                            "<td %s style=\"background:hsl(%d,70%%,%d%%)\" title=\"%s: %d of %d "
                            "pass\">%d%%</td>",
                            attributes, static_cast<int>(rate * 120), 72,
                            HtmlEscape(task.value("title", "")), t.passed, t.graded,
                            static_cast<int>(rate * 100 + 0.5));
    }
    for (std::size_t n = lesson["tasks"].size(); n < widest; ++n) html += "<td></td>";
    html += "</tr>\n";
  }
  return html + "</table>\n";
}

std::string Failures(const json& lessons, const Tallies& tallies) {
  std::string html;
  for (const auto& lesson : lessons) {
    const std::string id = lesson.value("id", "");
    for (const auto& task : lesson["tasks"]) {
      const int n = task.value("n", 0);
      auto it = tallies.find({id, n});
      if (it == tallies.end() || it->second.failures.empty()) continue;
      std::vector<std::pair<std::string, int>> common(it->second.failures.begin(),
                                                      it->second.failures.end());
      std::stable_sort(common.begin(), common.end(),
                       [](const auto& a, const auto& b) { return a.second > b.second; });
      if (common.size() > kMessagesPerTask) common.resize(kMessagesPerTask);
      absl::StrAppendFormat(&html,
                            "<section class=\"task\" data-lesson=\"%s\" data-task=\"%d\">"
                            "<h3>Lesson %s, task %d: %s</h3><ol>\n",
                            HtmlEscape(id), n, HtmlEscape(id), n,
                            HtmlEscape(task.value("title", "")));
      for (const auto& [summary, count] : common) {
        absl::StrAppend(&html, "<li data-count=\"", count, "\"><span class=\"count\">", count,
                        "&times;</span><code class=\"message\">",
                        summary.empty() ? "(no message)" : HtmlEscape(summary), "</code></li>\n");
      }
      html += "</ol></section>\n";
    }
  }
  return html.empty() ? "<p>No task failed.</p>\n" : html;
}

}  // namespace

std::string HtmlEscape(const std::string& text) { return harness::MarkupEscape(text); }

std::string GradebookHtml(const json& book) {
  const json rows = book.value("submissions", json::array());
  const json lessons = book.value("lessons", json::array());
  int max = 0, complete = 0;
  double total = 0;
  for (const auto& row : rows) {
    max = std::max(max, row.value("max_score", 0));
    complete += row.value("complete", false) ? 1 : 0;
    total += row.value("score", 0);
  }
  const double mean = rows.empty() ? 0 : total / static_cast<double>(rows.size());
  const int index = book.value(json::json_pointer("/shard/index"), 0);
  const int count = book.value(json::json_pointer("/shard/count"), 1);
  std::string html = absl::StrCat(
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<title>Gradebook</title>\n<style>",
      kStyle, "</style>\n</head>\n<body>\n<h1>Gradebook</h1>\n");
  absl::StrAppendFormat(
      &html,
      "<p class=\"meta\" id=\"summary\" data-submissions=\"%d\" data-complete=\"%d\" "
      "data-max-score=\"%d\" data-mean-score=\"%.2f\">%d submissions (%d graded to the end); "
      "mean score %.1f of %d%s</p>\n",
      rows.size(), complete, max, mean, rows.size(), complete, mean, max,
      count > 1 ? absl::StrCat("; shard ", index, " of ", count, " (0-based)") : "");
  absl::StrAppend(&html, "<h2>Score distribution</h2>\n", Histogram(rows, max));
  const Tallies tallies = Tally(rows);
  absl::StrAppend(&html, "<h2>Pass rate per task</h2>\n", Heatmap(lessons, tallies));
  absl::StrAppend(&html, "<h2>Most common failures per task</h2>\n", Failures(lessons, tallies));
  return html + "</body>\n</html>\n";
}

}  // namespace course::lessons
