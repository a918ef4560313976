#include "auth/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace q11::server {

RateLimiter::RateLimiter(int capacity, int window_seconds)
    : capacity_(std::max(0, capacity)),
      per_ms_(window_seconds > 0 ? capacity_ / (window_seconds * 1000.0) : 0) {}

double RateLimiter::Refilled(const Bucket& b, int64_t now_ms) const {
  double elapsed = static_cast<double>(std::max<int64_t>(0, now_ms - b.at_ms));
  return std::min(capacity_, b.tokens + elapsed * per_ms_);
}

RateLimiter::Bucket& RateLimiter::BucketLocked(const std::string& key, int64_t now_ms) {
  if (buckets_.size() >= kMaxKeys) {
    for (auto it = buckets_.begin(); it != buckets_.end();)
      it = Refilled(it->second, now_ms) >= capacity_ ? buckets_.erase(it) : std::next(it);
  }
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{capacity_, now_ms});
  Bucket& b = it->second;
  b.tokens = Refilled(b, now_ms);
  b.at_ms = now_ms;
  return b;
}

int RateLimiter::WaitSeconds(const Bucket& b) const {
  if (per_ms_ <= 0) return 3600;
  return std::max(1, static_cast<int>(std::ceil((1 - b.tokens) / per_ms_ / 1000.0)));
}

// The tolerance absorbs floating-point refill error (6 s × 10/min is 0.99999…).
constexpr double kWhole = 1 - 1e-9;

std::optional<int> RateLimiter::Take(const std::string& key, int64_t now_ms) {
  if (capacity_ <= 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = BucketLocked(key, now_ms);
  if (b.tokens >= kWhole) {
    b.tokens = std::max(0.0, b.tokens - 1);
    return std::nullopt;
  }
  return WaitSeconds(b);
}

std::optional<int> RateLimiter::Check(const std::string& key, int64_t now_ms) {
  if (capacity_ <= 0) return std::nullopt;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return std::nullopt;  // a full bucket
  Bucket& b = BucketLocked(key, now_ms);
  if (b.tokens >= kWhole) return std::nullopt;
  return WaitSeconds(b);
}

void RateLimiter::Spend(const std::string& key, int n, int64_t now_ms) {
  if (capacity_ <= 0 || n <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  Bucket& b = BucketLocked(key, now_ms);
  b.tokens = std::max(0.0, b.tokens - n);
}

}  // namespace q11::server
