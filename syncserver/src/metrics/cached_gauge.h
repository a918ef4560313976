// A gauge that is costly to read (a walk of the photo folder), read at most once per
// `max_age` however often Prometheus scrapes; scrapes in between see the last value,
// unless something that changes it (a photo completed) said so with Invalidate().
//
// Thread safety: Get() from any thread; concurrent scrapes read once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>

namespace q11::server::metrics {

class CachedGauge {
 public:
  explicit CachedGauge(int64_t max_age_ms) : max_age_ms_(max_age_ms) {}
  // The value read by `read` at most max_age ago (by `now_ms`), else a new reading.
  int64_t Get(int64_t now_ms, const std::function<int64_t()>& read) {
    std::lock_guard<std::mutex> lock(mu_);
    if (stale_.exchange(false) || !read_once_ || now_ms - read_at_ms_ >= max_age_ms_ ||
        now_ms < read_at_ms_) {
      value_ = read();
      read_at_ms_ = now_ms;
      read_once_ = true;
    }
    return value_;
  }

  // The next Get() reads again.
  void Invalidate() { stale_.store(true, std::memory_order_relaxed); }

 private:
  const int64_t max_age_ms_;
  std::atomic<bool> stale_{false};
  std::mutex mu_;
  bool read_once_ = false;
  int64_t read_at_ms_ = 0;
  int64_t value_ = 0;
};

}  // namespace q11::server::metrics
