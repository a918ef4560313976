// A distribution in fixed buckets (a Prometheus histogram): sync latency, group-commit
// sizes. Values are observed as integers in a unit of the caller's choice (microseconds,
// writes) and rendered divided by `scale` (1e6 turns microseconds into seconds), so an
// observation is two relaxed atomic adds and a short scan of the bounds: no lock, no
// floating-point atomics.
//
// A scrape that runs during observations may see a bucket already counted and the sum
// not yet; the count it renders is the buckets' total, so `_count` always equals the
// `+Inf` bucket.
//
// Thread safety: Observe() and Read() from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace q11::server::metrics {

class Histogram {
 public:
  // REQUIRES: `bounds` (inclusive upper bounds, in observed units) strictly ascending;
  // scale > 0.
  Histogram(std::vector<int64_t> bounds, double scale);

  void Observe(int64_t value);

  struct Snapshot {
    std::vector<uint64_t> cumulative;  // per bound, observations <= it
    uint64_t count = 0;                // all observations (the +Inf bucket)
    int64_t sum = 0;                   // in observed units
  };
  Snapshot Read() const;

  const std::vector<int64_t>& bounds() const { return bounds_; }
  double scale() const { return scale_; }

 private:
  const std::vector<int64_t> bounds_;
  const double scale_;
  // bounds_.size() + 1 buckets, the last for values above every bound.
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;
  std::atomic<int64_t> sum_{0};
};

}  // namespace q11::server::metrics
