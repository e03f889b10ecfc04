// The report of `course bench`: JSON for machines, a few lines for people.
#ifndef COURSE_HARNESS_BENCH_LOAD_REPORT_H_
#define COURSE_HARNESS_BENCH_LOAD_REPORT_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "bench/load.h"
#include "bench/load_worker.h"
#include "core/target.h"

namespace course::bench {

// 1234567 as "1,234,567".
std::string Thousands(std::int64_t n);

// The run's results: the options, throughput, latency quantiles, status
// counts and a few error samples.
nlohmann::json Report(const LoadOptions& options, const harness::Target& target, const Stats& total,
                      double seconds, int threads);

// The report's numbers, for people.
void PrintReport(std::ostream& out, const nlohmann::json& report);

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_LOAD_REPORT_H_
