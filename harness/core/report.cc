#include "core/report.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"

namespace course::harness {
namespace {

const char* Paint(bool color, const char* code) { return color ? code : ""; }

std::string Indent(const std::string& text, const std::string& prefix) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    absl::StrAppend(&out, prefix, line, "\n");
  }
  return out;
}

}  // namespace

std::string MarkupEscape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        // XML 1.0 forbids most control characters, even escaped.
        if (c < 0x20 && c != '\n' && c != '\t' && c != '\r') {
          out += '?';
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out;
}

std::string FindingText(const Finding& f) {
  std::string text = f.message + "\n";
  if (!f.sent.empty()) absl::StrAppend(&text, "sent:\n", Indent(f.sent, "  "));
  if (!f.received.empty()) absl::StrAppend(&text, "got:\n", Indent(f.received, "  "));
  if (!f.expected.empty()) absl::StrAppend(&text, "expected: ", f.expected, "\n");
  if (!f.hint.empty()) absl::StrAppend(&text, "hint: ", f.hint, "\n");
  if (!f.reproduce.empty()) absl::StrAppend(&text, "try it: ", f.reproduce, "\n");
  return text;
}

bool CountsAsFailure(const CheckResult& result) {
  const bool bad = result.outcome == Outcome::kFail || result.outcome == Outcome::kError;
  if (result.known_failing) return result.outcome == Outcome::kPass;
  return bad;
}

RunSummary Summarize(const std::vector<CheckResult>& results, double seconds) {
  RunSummary summary;
  summary.seconds = seconds;
  for (const CheckResult& result : results) {
    if (CountsAsFailure(result)) {
      ++summary.failed;
    } else if (result.outcome == Outcome::kSkip) {
      ++summary.skipped;
    } else if (result.outcome == Outcome::kWarn) {
      ++summary.warned;
    } else if (result.known_failing) {
      ++summary.known_failing;
    } else {
      ++summary.passed;
    }
  }
  return summary;
}

void PrintProgress(std::ostream& out, const CheckResult& result, bool color) {
  const char* label = "PASS";
  const char* paint = "\033[32m";
  if (result.outcome == Outcome::kSkip) {
    label = "SKIP";
    paint = "\033[33m";
  } else if (CountsAsFailure(result)) {
    label = result.known_failing ? "XPASS" : "FAIL";
    paint = "\033[31m";
  } else if (result.known_failing) {
    label = "XFAIL";
    paint = "\033[33m";
  } else if (result.outcome == Outcome::kWarn) {
    label = "WARN";
    paint = "\033[33m";
  }
  out << "  " << Paint(color, paint) << label << Paint(color, "\033[0m") << " " << result.id << " ("
      << result.rule;
  if (result.level != Level::kMust) out << ", " << LevelName(result.level);
  out << ")";
  // Skips and warnings say why; a pass may carry a measurement.
  if (result.outcome == Outcome::kSkip || result.outcome == Outcome::kWarn ||
      (result.outcome == Outcome::kPass && !result.finding.message.empty())) {
    out << ": " << result.finding.message;
  }
  if (result.seconds >= 1.0) {
    char took[32];
    std::snprintf(took, sizeof took, " %.1fs", result.seconds);
    out << took;
  }
  out << "\n";
  out.flush();
}

void PrintSummary(std::ostream& out, const std::vector<CheckResult>& results,
                  const RunSummary& summary, const std::string& target, bool color, bool trace) {
  int shown = 0;
  for (const CheckResult& result : results) {
    if (!CountsAsFailure(result)) continue;
    if (shown++ == 0) out << "\n";
    out << Paint(color, "\033[1;31m") << "FAIL " << result.id << Paint(color, "\033[0m")
        << "  rule " << result.rule << ": " << result.title << "\n";
    if (result.known_failing) {
      out << "  this check is in the known-failing list but it passed: "
             "remove it from the list\n";
    } else {
      out << Indent(FindingText(result.finding), "  ");
      if (trace && !result.finding.trace.empty()) {
        out << "  frames:\n" << Indent(result.finding.trace, "    ");
      }
    }
  }
  for (const CheckResult& result : results) {
    if (result.outcome != Outcome::kWarn || result.known_failing) continue;
    if (shown++ == 0) out << "\n";
    out << Paint(color, "\033[1;33m") << "WARN " << result.id << Paint(color, "\033[0m")
        << "  rule " << result.rule << " (" << LevelName(result.level)
        << ", not a failure): " << result.title << "\n"
        << Indent(FindingText(result.finding), "  ");
    if (trace && !result.finding.trace.empty()) {
      out << "  frames:\n" << Indent(result.finding.trace, "    ");
    }
  }
  std::map<std::string, std::pair<int, int>> by_area;  // passed, total
  for (const CheckResult& result : results) {
    auto& [passed, total] = by_area[result.area];
    ++total;
    if (!CountsAsFailure(result)) ++passed;
  }
  out << "\n" << target << "\n";
  for (const auto& [area, counts] : by_area) {
    out << "  " << area << ": " << counts.first << "/" << counts.second << "\n";
  }
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", summary.seconds);
  out << "took " << took << " s";
  if (summary.skipped > 0) out << ", " << summary.skipped << " skipped";
  if (summary.known_failing > 0) out << ", " << summary.known_failing << " known failing";
  if (summary.warned > 0) out << ", " << summary.warned << " warned (SHOULD/INFO)";
  out << "\n" << summary.passed << " passed, " << summary.failed << " failed\n";
}

std::string ToJson(const std::vector<CheckResult>& results, const RunSummary& summary,
                   const std::string& target, std::uint64_t seed) {
  nlohmann::json checks = nlohmann::json::array();
  for (const CheckResult& result : results) {
    nlohmann::json check = {
        {"id", result.id},
        {"rule", result.rule},
        {"area", result.area},
        {"title", result.title},
        {"status", CountsAsFailure(result) && result.outcome == Outcome::kPass
                       ? "fail"
                       : OutcomeName(result.outcome)},
        {"duration_s", result.seconds},
        {"message", result.finding.message},
        {"known_failing", result.known_failing},
        {"level", LevelName(result.level)},
    };
    if (result.outcome == Outcome::kFail || result.outcome == Outcome::kError ||
        result.outcome == Outcome::kWarn) {
      check["sent"] = result.finding.sent;
      check["received"] = result.finding.received;
      check["expected"] = result.finding.expected;
      check["hint"] = result.finding.hint;
      check["reproduce"] = result.finding.reproduce;
      if (!result.finding.trace.empty()) check["trace"] = result.finding.trace;
    }
    checks.push_back(std::move(check));
  }
  nlohmann::json report = {
      {"schema_version", 1},
      {"target", target},
      {"seed", seed},
      {"passed", summary.passed},
      {"failed", summary.failed},
      {"skipped", summary.skipped},
      {"known_failing", summary.known_failing},
      {"warned", summary.warned},
      {"duration_s", summary.seconds},
      {"checks", checks},
  };
  // Invalid UTF-8 from a hostile server is replaced, never a throw.
  return report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string ToJunit(const std::vector<CheckResult>& results, const RunSummary& summary,
                    const std::string& suite_name) {
  std::map<std::string, std::vector<const CheckResult*>> by_area;
  for (const CheckResult& result : results) by_area[result.area].push_back(&result);
  std::ostringstream xml;
  xml << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  xml << "<testsuites name=\"" << MarkupEscape(suite_name) << "\" tests=\"" << results.size()
      << "\" failures=\"" << summary.failed << "\" skipped=\"" << summary.skipped << "\" time=\""
      << summary.seconds << "\">\n";
  for (const auto& [area, members] : by_area) {
    int failures = 0, skipped = 0;
    double seconds = 0;
    for (const CheckResult* r : members) {
      failures += CountsAsFailure(*r) ? 1 : 0;
      skipped += r->outcome == Outcome::kSkip ? 1 : 0;
      seconds += r->seconds;
    }
    xml << "  <testsuite name=\"" << MarkupEscape(area) << "\" tests=\"" << members.size()
        << "\" failures=\"" << failures << "\" errors=\"0\" skipped=\"" << skipped << "\" time=\""
        << seconds << "\">\n";
    for (const CheckResult* r : members) {
      xml << "    <testcase classname=\"" << MarkupEscape(suite_name + "." + area) << "\" name=\""
          << MarkupEscape(r->id) << "\" time=\"" << r->seconds << "\">\n";
      xml << "      <properties><property name=\"rule\" value=\"" << MarkupEscape(r->rule)
          << "\"/><property name=\"level\" value=\"" << LevelName(r->level)
          << "\"/></properties>\n";
      if (CountsAsFailure(*r)) {
        const std::string message =
            r->known_failing ? "listed as known-failing, but it passed" : r->finding.message;
        xml << "      <failure message=\"" << MarkupEscape(message) << "\" type=\""
            << MarkupEscape(r->rule) << "\">" << MarkupEscape(FindingText(r->finding))
            << "</failure>\n";
      } else if (r->outcome == Outcome::kSkip) {
        xml << "      <skipped message=\"" << MarkupEscape(r->finding.message) << "\"/>\n";
      }
      xml << "    </testcase>\n";
    }
    xml << "  </testsuite>\n";
  }
  xml << "</testsuites>\n";
  return xml.str();
}

absl::Status WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string temp = path + ".partial";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out || !(out << text) || !out.flush()) {
      return absl::UnavailableError(absl::StrCat("cannot write ", temp));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return absl::UnavailableError(absl::StrCat("cannot move ", temp, " to ", path));
  }
  return absl::OkStatus();
}

}  // namespace course::harness
