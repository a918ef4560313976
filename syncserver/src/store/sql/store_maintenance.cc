#include "store/sql/store_maintenance.h"

#include <cstdio>

#include "log/logger.h"

namespace q11::server {
namespace {

// Small enough that the writer lock is held for milliseconds, not seconds.
constexpr int64_t kBatch = 5000;

}  // namespace

// The ledger and audit retention counts in days: once an hour is plenty, and its queries
// scan more than the change-log compaction does.
constexpr auto kHistoryEvery = std::chrono::hours(1);

StoreMaintenance::StoreMaintenance(Store& store, RefreshTokens* refresh,
                                   std::chrono::milliseconds interval,
                                   std::function<int64_t()> clock_ms, HistoryPruner* history)
    : store_(store),
      refresh_(refresh),
      history_(history),
      clock_ms_(std::move(clock_ms)),
      interval_(interval),
      thread_([this] { Run(); }) {}

void StoreMaintenance::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void StoreMaintenance::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
    if (stopping_) return;
    lock.unlock();
    if (refresh_ != nullptr) {
      Result<int64_t> pruned = refresh_->Prune(clock_ms_() / 1000);
      if (!pruned.ok()) log::Warn("refresh-token pruning: " + pruned.status().ToString());
    }
    auto now = std::chrono::steady_clock::now();
    if (history_ != nullptr && (last_history_ == std::chrono::steady_clock::time_point{} ||
                                now - last_history_ >= kHistoryEvery)) {
      last_history_ = now;
      Result<HistoryPruner::Pruned> pruned = history_->PruneAll(kBatch);
      if (!pruned.ok()) log::Warn("ledger and audit pruning: " + pruned.status().ToString());
    }
    for (;;) {
      Result<int64_t> dropped = store_.CompactChangeLog(kBatch);
      if (!dropped.ok()) {
        // Not fatal: pulls skip superseded entries anyway; try again next round.
        log::Warn("change-log compaction: " + dropped.status().ToString());
        break;
      }
      if (*dropped < kBatch) break;
      std::lock_guard<std::mutex> check(mu_);
      if (stopping_) break;
    }
    lock.lock();
  }
}

}  // namespace q11::server
