// Background upkeep while the server runs: drops change-log entries that later changes
// superseded (change_log.h), a batch at a time so no push waits long behind it, and refresh
// token families that have fully expired. One thread, woken every `interval` and at Stop().
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "refresh_tokens.h"
#include "syncserver/store.h"

namespace q11::server {

class StoreMaintenance {
 public:
  // REQUIRES: store and refresh (may be null) outlive this object (or Stop() runs first).
  StoreMaintenance(Store& store, RefreshTokens* refresh, std::chrono::milliseconds interval);
  ~StoreMaintenance() { Stop(); }
  StoreMaintenance(const StoreMaintenance&) = delete;
  StoreMaintenance& operator=(const StoreMaintenance&) = delete;

  // Waits for a round in progress to finish its batch. Idempotent.
  void Stop();

 private:
  void Run();

  Store& store_;
  RefreshTokens* refresh_;
  const std::chrono::milliseconds interval_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace q11::server
