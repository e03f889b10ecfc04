#include "bench/load_report.h"

#include <cmath>
#include <string>

#include "absl/strings/str_format.h"

namespace course::bench {

std::string Thousands(std::int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? "-" + out : out;
}

nlohmann::json Report(const LoadOptions& options, const harness::Target& target, const Stats& total,
                      double seconds, int threads) {
  auto ms = [](double ns) { return std::round(ns / 1e3) / 1e3; };
  nlohmann::json status = nlohmann::json::object();
  std::int64_t errors = 0;
  for (int code = 0; code < kCodes; ++code) {
    if (total.codes[code] > 0) status[kCodeNames[code]] = total.codes[code];
    if (code != 0) errors += total.codes[code];
  }
  const double rate = seconds > 0 ? static_cast<double>(total.calls) / seconds : 0;
  return {
      {"tool", "course bench"},
      {"rpc", options.rpc},
      {"target", target.Describe()},
      {"loop", options.rate > 0 ? "open" : "closed"},
      {"rate", options.rate},
      {"connections", options.connections},
      {"concurrency", options.concurrency},
      {"threads", threads},
      {"messages_per_call", options.messages},
      {"warmup_s", options.warmup_s},
      {"seconds", seconds},
      {"calls", total.calls},
      {"calls_per_second", std::round(rate * 10) / 10},
      {"messages", total.messages},
      {"messages_per_second",
       seconds > 0 ? std::round(static_cast<double>(total.messages) / seconds * 10) / 10 : 0},
      {"latency_ms",
       {{"p50", ms(total.latency.Quantile(0.5))},
        {"p90", ms(total.latency.Quantile(0.9))},
        {"p99", ms(total.latency.Quantile(0.99))},
        {"p99.9", ms(total.latency.Quantile(0.999))},
        {"max", ms(static_cast<double>(total.latency.max()))},
        {"mean", ms(total.latency.mean())}}},
      {"status", status},
      {"errors", errors},
      {"error_samples", total.samples},
  };
}

void PrintReport(std::ostream& out, const nlohmann::json& report) {
  const auto& latency = report["latency_ms"];
  out << "  calls     " << Thousands(report["calls"].get<std::int64_t>()) << " in "
      << absl::StrFormat("%.2f", report["seconds"].get<double>())
      << " s: " << Thousands(std::llround(report["calls_per_second"].get<double>())) << " calls/s";
  if (report["rpc"] != "GetUser") {
    out << ", " << Thousands(std::llround(report["messages_per_second"].get<double>()))
        << " messages/s";
  }
  out << "\n  latency  ";
  for (const char* key : {"p50", "p90", "p99", "p99.9", "max"}) {
    out << "  " << key << " " << absl::StrFormat("%.3f", latency[key].get<double>()) << " ms";
  }
  out << "\n  status   ";
  for (const auto& [code, count] : report["status"].items()) {
    out << " " << code << " " << Thousands(count.get<std::int64_t>());
  }
  out << "\n  errors    " << Thousands(report["errors"].get<std::int64_t>()) << "\n";
  for (const auto& sample : report["error_samples"]) {
    out << "    " << sample.get<std::string>() << "\n";
  }
}

}  // namespace course::bench
