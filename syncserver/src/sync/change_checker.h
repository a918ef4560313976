// Answers, for many waiting devices at once, whether a pull would now bring them anything
// (SyncStore::HasChanges), on a small fixed set of threads.
//
// After a commit the watcher reactor (watcher_reactor.h) has every waiting device to ask
// again. It hands them over in one round; identical questions (same account, device and
// cursor) are asked once, and the store is never asked more than `threads` questions at a
// time, so a commit among 10,000 waiting devices cannot take every reader or every core
// from syncs. Answers come back in batches through `deliver`, on a checker thread.
//
// Thread safety: Submit() and Stop() from any thread; `deliver` runs on the checker
// threads (concurrently with itself) and must not call Submit() or Stop().
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "protocol/result.h"
#include "sync/wait_question.h"
#include "syncserver/store.h"

namespace q11::server {

class ChangeChecker {
 public:
  struct Check {
    uint64_t watcher = 0;  // the caller's name for the waiting device
    std::shared_ptr<const WaitQuestion> question;
  };
  struct Answer {
    std::vector<uint64_t> watchers;  // every watcher that asked this question
    uint64_t version = 0;            // the notifier version the round was asked at
    Result<bool> changed = false;
  };
  using Deliver = std::function<void(std::vector<Answer>)>;

  // REQUIRES: `store` outlives the checker; threads >= 1.
  ChangeChecker(SyncStore& store, int threads, Deliver deliver);
  ~ChangeChecker();  // Stop()
  ChangeChecker(const ChangeChecker&) = delete;
  ChangeChecker& operator=(const ChangeChecker&) = delete;

  // Queues one round. `version` is the notifier's version read BEFORE this call: a commit
  // after it either is seen by the question or bumps the version past it.
  void Submit(uint64_t version, const std::vector<Check>& checks);
  // Drops questions not yet asked and joins the threads; nothing is delivered afterwards.
  // Idempotent.
  void Stop();

  // Questions asked of the store since the start (for the benchmark and tests).
  uint64_t asked() const;

 private:
  struct Group {
    uint64_t version = 0;
    std::shared_ptr<const WaitQuestion> question;
    std::vector<uint64_t> watchers;
  };
  void Run();

  SyncStore& store_;
  const Deliver deliver_;
  mutable std::mutex mu_;
  std::condition_variable work_;
  std::deque<Group> queue_;
  uint64_t asked_ = 0;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace q11::server
