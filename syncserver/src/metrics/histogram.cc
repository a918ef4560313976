#include "metrics/histogram.h"

#include <cassert>

namespace q11::server::metrics {

Histogram::Histogram(std::vector<int64_t> bounds, double scale)
    : bounds_(std::move(bounds)),
      scale_(scale),
      buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  assert(scale_ > 0);
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(int64_t value) {
  // A dozen bounds: a linear scan beats a binary search's branches.
  size_t i = 0;
  while (i < bounds_.size() && value > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot s;
  s.cumulative.reserve(bounds_.size());
  uint64_t running = 0;
  for (size_t i = 0; i < bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  s.count = running + buckets_[bounds_.size()].load(std::memory_order_relaxed);
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace q11::server::metrics
