// Wakes devices that wait for changes (POST /v1/changes/wait, docs/protocol.md).
//
// Every commit that may concern someone bumps a version and wakes all waiters; each waiter
// then asks the store whether anything after its cursor is for it, and waits again if not.
// Waiting requests each hold a server thread (Poco serves a connection per thread), so
// their number is capped below the thread count: sync and login always find a thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace q11::server {

class ChangeNotifier {
 public:
  explicit ChangeNotifier(int max_waiters) : max_waiters_(max_waiters) {}

  // After a commit: wakes every waiter.
  void Notify();
  // Wakes every waiter for good (the server is stopping): waits return at once.
  void Shutdown();

  uint64_t version() const;
  // Requests blocked in WaitPast now: they have found nothing for their device and sleep
  // until the next commit (reported by GET /healthz, so tests see a device waiting).
  int sleeping() const;
  // Blocks until version() differs from `seen`, Shutdown(), or `deadline`. False on timeout
  // or shutdown.
  bool WaitPast(uint64_t seen, std::chrono::steady_clock::time_point deadline);

  // A place among the waiters, held for one request; empty when max_waiters already wait.
  class Slot {
   public:
    Slot() = default;
    explicit Slot(ChangeNotifier* n) : n_(n) {}
    Slot(Slot&& o) noexcept : n_(o.n_) { o.n_ = nullptr; }
    Slot& operator=(Slot&&) = delete;
    ~Slot();
    explicit operator bool() const { return n_ != nullptr; }

   private:
    ChangeNotifier* n_ = nullptr;
  };
  Slot TryEnter();

 private:
  const int max_waiters_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  uint64_t version_ = 0;
  int waiters_ = 0;
  int sleeping_ = 0;
  bool shutdown_ = false;
};

}  // namespace q11::server
