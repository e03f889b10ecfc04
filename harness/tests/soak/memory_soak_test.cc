// Mixed load for a while, from the load generator behind `course bench`
// (course-cli bench, a child process of its own), with the reference's RSS
// sampled after every round: past the warm-up, its memory stays flat.
//
// The rounds cycle through GetUser, ListUsers (100 users a call) and Chat.
// CreateUsers is left out on purpose: every user it creates is kept (the
// contract has no delete), so the store, and the RSS, grow by design.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "core/child_process.h"
#include "tests/soak/soak_support.h"

namespace course::soak {
namespace {

struct Sample {
  std::string rpc;
  std::int64_t rss_kib = 0;
};

std::int64_t MaxRss(const std::vector<Sample>& samples, std::size_t from, std::size_t to) {
  std::int64_t most = 0;
  for (std::size_t i = from; i < to && i < samples.size(); ++i) {
    most = std::max(most, samples[i].rss_kib);
  }
  return most;
}

TEST(Soak, MixedLoadLeavesTheServersMemoryFlat) {
  const int total_s = SizeFromEnv("COURSE_SOAK_SECONDS", 16);
  const int round_s = total_s >= 120 ? 5 : 1;
  const std::vector<std::string> rpcs = {"GetUser", "ListUsers", "Chat"};
  const int cycles = std::max(4, total_s / (round_s * static_cast<int>(rpcs.size())));
  auto server = ServerProcess::Start(10);
  ASSERT_NE(server, nullptr);

  std::vector<Sample> samples;
  std::cout << "RSS of the reference (KiB) after each round of " << round_s << " s:";
  for (int cycle = 0; cycle < cycles; ++cycle) {
    for (const std::string& rpc : rpcs) {
      const harness::RunResult run = harness::RunToEnd(
          {COURSE_CLI, "bench", "--target", server->address(), "--token", kToken, "--rpc", rpc,
           "--concurrency", "32", "--connections", "2", "--duration", std::to_string(round_s)},
          std::chrono::seconds(round_s + 60));
      ASSERT_EQ(run.code, 0) << "course bench --rpc " << rpc << ":\n" << run.output;
      samples.push_back({rpc, server->RssKib()});
      std::cout << " " << samples.back().rss_kib << std::flush;
    }
  }
  std::cout << "\n";

  // Warm-up: the first quarter of the cycles (at least one). The last cycle
  // is compared with the first cycle after the warm-up: a leak of even a
  // few hundred bytes a call would show as steady growth well past the
  // tolerance (20 % plus 8 MiB, for allocator noise on a busy machine).
  const std::size_t per_cycle = rpcs.size();
  const std::size_t warm = per_cycle * std::max(1, cycles / 4);
  const std::int64_t after_warmup = MaxRss(samples, warm, warm + per_cycle);
  const std::int64_t last = MaxRss(samples, samples.size() - per_cycle, samples.size());
  ASSERT_GT(after_warmup, 0) << "cannot read the server's RSS from /proc";
  std::cout << "after warm-up: " << after_warmup << " KiB, last cycle: " << last << " KiB ("
            << 100.0 * static_cast<double>(last - after_warmup) / static_cast<double>(after_warmup)
            << " %)\n";
  RecordProperty("rss_after_warmup_kib", static_cast<int>(after_warmup));
  RecordProperty("rss_last_kib", static_cast<int>(last));
  EXPECT_LE(last, after_warmup + after_warmup / 5 + 8 * 1024)
      << "the server's memory grew past the warm-up";
  EXPECT_EQ(server->Stop(), 0);
}

}  // namespace
}  // namespace course::soak
