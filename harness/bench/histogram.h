// A latency histogram in the manner of HdrHistogram: log-linear buckets with
// 64 per power of two, so any recorded value is known within 1/64 (1.6 %),
// in a fixed 18 KiB whatever the number of samples. One per load thread, so
// recording takes no lock and no atomic; they are merged at the end.
#ifndef COURSE_HARNESS_BENCH_HISTOGRAM_H_
#define COURSE_HARNESS_BENCH_HISTOGRAM_H_

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>

namespace course::bench {

class Histogram {
 public:
  // Values are nanoseconds; anything above ~2^40 ns (18 min) is clamped.
  void Record(std::int64_t value) {
    const std::uint64_t v = static_cast<std::uint64_t>(std::clamp<std::int64_t>(value, 0, kMax));
    ++counts_[Index(v)];
    ++count_;
    sum_ += static_cast<double>(v);
    max_ = std::max(max_, v);
  }

  void Merge(const Histogram& other) {
    for (std::size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
    count_ += other.count_;
    sum_ += other.sum_;
    max_ = std::max(max_, other.max_);
  }

  std::uint64_t count() const { return count_; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ == 0 ? 0 : sum_ / static_cast<double>(count_); }

  // The smallest recorded value v with at least q of the samples <= v (to
  // the bucket's precision; the exact maximum for q = 1).
  double Quantile(double q) const {
    if (count_ == 0) return 0;
    const auto rank =
        static_cast<std::uint64_t>(std::max(1.0, std::ceil(q * static_cast<double>(count_))));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) {
        return std::min(static_cast<double>(max_), Middle(i));
      }
    }
    return static_cast<double>(max_);
  }

 private:
  static constexpr int kSubBits = 7;                            // 128 exact values, then
  static constexpr std::uint64_t kHalf = 1u << (kSubBits - 1);  // 64 per octave
  static constexpr std::int64_t kMax = std::int64_t{1} << 40;
  static constexpr std::size_t kBuckets = (40 - kSubBits + 2) * kHalf + 2 * kHalf;

  static std::size_t Index(std::uint64_t v) {
    if (v < 2 * kHalf) return static_cast<std::size_t>(v);
    const int msb = 63 - __builtin_clzll(v);
    const int shift = msb - (kSubBits - 1);  // v >> shift in [64, 128)
    return static_cast<std::size_t>(shift) * kHalf + static_cast<std::size_t>(v >> shift);
  }
  static double Middle(std::size_t index) {
    if (index < 2 * kHalf) return static_cast<double>(index);
    const std::size_t shift = index / kHalf - 1;
    const double low = static_cast<double>((index - shift * kHalf) << shift);
    return low + static_cast<double>((std::uint64_t{1} << shift) - 1) / 2;
  }

  std::array<std::uint64_t, kBuckets> counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
  std::uint64_t max_ = 0;
};

}  // namespace course::bench

#endif  // COURSE_HARNESS_BENCH_HISTOGRAM_H_
