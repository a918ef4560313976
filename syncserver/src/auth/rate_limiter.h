// Token buckets per key (an address, an account name or id): each key may spend
// `capacity` requests at once and regains `capacity` per `window_seconds`. Used for
// login (per address, per name and address, per name), sign-up (per address) and sync (per
// account); the limits are ServerOptions. A refused request is answered 429 with Retry-After.
//
// Memory is bounded: when more than kMaxKeys keys are tracked, buckets that have refilled
// are forgotten (a full bucket is the same as no bucket).
//
// Thread safety: safe from many threads.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace q11::server {

class RateLimiter {
 public:
  // capacity 0 turns the limiter off (every Take succeeds).
  RateLimiter(int capacity, int window_seconds);

  // nullopt when `key` may proceed (one token taken); otherwise the seconds to wait.
  std::optional<int> Take(const std::string& key, int64_t now_ms);
  // The same question without taking a token.
  std::optional<int> Check(const std::string& key, int64_t now_ms);
  // Takes `n` tokens at once (down to none): what was spent is only known afterwards.
  void Spend(const std::string& key, int n, int64_t now_ms);

  static constexpr size_t kMaxKeys = 100000;

 private:
  struct Bucket {
    double tokens;
    int64_t at_ms;
  };
  double Refilled(const Bucket& b, int64_t now_ms) const;
  // REQUIRES: mu_ held. The key's bucket, refilled to now.
  Bucket& BucketLocked(const std::string& key, int64_t now_ms);
  int WaitSeconds(const Bucket& b) const;

  double capacity_;
  double per_ms_;
  std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

// The server's limits (docs/security.md, "Rate limits").
struct RateLimits {
  // A name may be tried from all addresses together this many times the per-address
  // limit: a guesser spread over many addresses is still bounded, and the owner's own
  // (name, address) bucket is not the guessers'.
  static constexpr int kLoginByNameFactor = 10;

  RateLimits(int login_per_minute, int register_per_hour, int sync_per_minute,
             int receipt_per_minute = 30, int open311_per_minute = 10,
             int refused_entries_per_hour = 0)
      : login_by_address(login_per_minute, 60),
        login_by_name_and_address(login_per_minute, 60),
        login_by_name(login_per_minute * kLoginByNameFactor, 60),
        register_by_address(register_per_hour, 3600),
        sync_by_account(sync_per_minute, 60),
        receipt_by_address(receipt_per_minute, 60),
        open311_by_address(open311_per_minute, 60),
        open311_by_key(open311_per_minute, 60),
        refused_entries_by_account(refused_entries_per_hour, 3600) {}
  RateLimiter login_by_address;
  RateLimiter login_by_name_and_address;
  // Not taken for a login from a device already bound to the account (login_handler.h).
  RateLimiter login_by_name;
  RateLimiter register_by_address;
  RateLimiter sync_by_account;
  RateLimiter receipt_by_address;  // public receipt lookups (no account: guessing codes)
  RateLimiter open311_by_address;  // Open311 POSTs (docs/open311.md), per address
  RateLimiter open311_by_key;      // and, separately, per API key
  // Pushed entries the write rules refused, per account: past the limit its pushes are
  // answered 429 until the bucket refills (sync_handler.cc); its pulls go on.
  RateLimiter refused_entries_by_account;
};

}  // namespace q11::server
