// Refused requests, counted in memory and written to the audit trail in one write per
// window. A refusal (a 401, 403 or 429 answer; a connection over the per-address limit;
// a request that missed its deadline) used to cost a durable commit each, so a flood of
// bad requests cost the server a disk sync per request. Here each (address, reason) has a
// counter; every `interval` (and at Stop) the window's counters become audit rows
// `http.refused` — actor "-", subject "address/<address>", details {"reason", "count",
// "from", "to", "sample"} — all in one transaction.
//
// Bounded: at most kMaxKeys distinct (address, reason) pairs per window; refusals past
// that are counted under the address "*", so a window writes at most kMaxKeys + a few rows.
//
// Thread safety: Count() from any thread (a mutex and a map update, nothing else).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "protocol/result.h"

namespace q11::server {

class SecurityAudit;

class RefusalTally {
 public:
  static constexpr size_t kMaxKeys = 1000;

  // REQUIRES: `audit` outlives this object. `clock_ms`: Unix milliseconds. Starts a
  // thread that flushes every `interval`.
  RefusalTally(SecurityAudit& audit, std::function<int64_t()> clock_ms,
               std::chrono::milliseconds interval);
  ~RefusalTally() { Stop(); }
  RefusalTally(const RefusalTally&) = delete;
  RefusalTally& operator=(const RefusalTally&) = delete;

  // `reason`: e.g. "401", "too_many_connections"; `sample`: what was refused, kept from
  // the window's first refusal of the pair (e.g. "POST /v1/sync").
  void Count(std::string_view address, std::string_view reason, std::string_view sample);
  // Writes the window's counters now (one transaction). Failures are reported on stderr
  // and returned; the counters are then lost (the audit must not grow memory unbounded).
  Status Flush();
  // Flushes what is left and stops the thread. Idempotent.
  void Stop();

 private:
  struct Counter {
    int64_t count = 0;
    int64_t first_ms = 0, last_ms = 0;
    std::string sample;
  };
  void Run();

  SecurityAudit& audit_;
  std::function<int64_t()> clock_ms_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::map<std::pair<std::string, std::string>, Counter> window_;
  std::mutex stop_mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace q11::server
