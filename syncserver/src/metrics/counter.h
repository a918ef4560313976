// A count that only goes up (a Prometheus counter): requests, entries, rows, bytes.
//
// Thread safety: Add() and value() from any thread; a relaxed atomic add, no lock.
#pragma once

#include <atomic>
#include <cstdint>

namespace q11::server::metrics {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

}  // namespace q11::server::metrics
