// Wakes devices that wait for changes (POST /v1/changes/wait, docs/protocol.md).
//
// Every commit that may concern someone bumps a version and wakes all waiters; each waiter
// then asks the store whether anything after its cursor is for it, and waits again if not.
// Two kinds of waiter share it: requests that block a server thread in WaitPast (the
// threaded path, used for TLS listeners; their number is capped below the thread count so
// sync and login always find a thread), and the watcher reactor (watcher_reactor.h), which
// holds waiting connections without a thread each and hears of commits through a listener.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>

namespace q11::server {

class ChangeNotifier {
 public:
  explicit ChangeNotifier(int max_waiters) : max_waiters_(max_waiters) {}

  // After a commit: bumps the version, wakes every blocked waiter and calls the listener.
  void Notify();
  // Wakes every waiter for good (the server is stopping): waits return at once.
  void Shutdown();

  // Called after every version bump, on the committing thread under the notifier's lock:
  // it must be cheap and must not call back into the notifier. An empty function removes
  // it; once SetListener() returns, the previous listener is not running and never will.
  void SetListener(std::function<void()> listener);

  uint64_t version() const;
  // Devices waiting now that have found nothing for them and will be woken by the next
  // commit: requests blocked in WaitPast plus connections the reactor holds (reported by
  // GET /healthz, so tests see a device waiting).
  int sleeping() const;
  // The reactor's share of sleeping(): it adds a watcher once held and removes it when
  // answered or gone. Thread-safe.
  void AddHeld(int delta);
  // Blocks until version() differs from `seen`, Shutdown(), or `deadline`. False on timeout
  // or shutdown.
  bool WaitPast(uint64_t seen, std::chrono::steady_clock::time_point deadline);

  // A place among the threaded waiters, held for one request; empty when max_waiters
  // already wait.
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
  std::function<void()> listener_;
  uint64_t version_ = 0;
  int waiters_ = 0;
  int sleeping_ = 0;
  int held_ = 0;
  bool shutdown_ = false;
};

}  // namespace q11::server
