// Background upkeep while the server runs: drops change-log entries that later changes
// superseded (change_log.h), a batch at a time so no push waits long behind it, and refresh
// token families that have fully expired; once an hour, old ledger and audit rows
// (history_pruner.h). One thread, woken every `interval` and at Stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

#include "auth/refresh_tokens.h"
#include "store/sql/history_pruner.h"
#include "syncserver/store.h"

namespace q11::server {

class StoreMaintenance {
 public:
  // REQUIRES: store, refresh and history (both may be null) outlive this object (or Stop()
  // runs first).
  // `clock_ms`: Unix milliseconds, the server's one clock (it decides which refresh tokens
  // have expired).
  StoreMaintenance(Store& store, RefreshTokens* refresh, std::chrono::milliseconds interval,
                   std::function<int64_t()> clock_ms, HistoryPruner* history = nullptr);
  ~StoreMaintenance() { Stop(); }
  StoreMaintenance(const StoreMaintenance&) = delete;
  StoreMaintenance& operator=(const StoreMaintenance&) = delete;

  // Waits for a round in progress to finish its batch. Idempotent.
  void Stop();

 private:
  void Run();

  Store& store_;
  RefreshTokens* refresh_;
  HistoryPruner* history_;
  const std::function<int64_t()> clock_ms_;
  std::chrono::steady_clock::time_point last_history_{};  // never: the first round prunes
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace q11::server
