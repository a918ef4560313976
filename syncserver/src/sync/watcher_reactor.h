// Holds devices that wait for changes (POST /v1/changes/wait) without a thread each.
//
// Poco serves a connection per thread, so a long poll that sleeps on its thread caps the
// waiting devices at the thread count. Instead, the handler (wait_handler.cc) reads and
// checks the request on its Poco thread and, when nothing is there yet, detaches the
// connection and hands it here: one epoll thread holds every waiting connection until
//
//  - a commit concerns it: after each commit (ChangeNotifier's listener) every held
//    device is asked again, in rounds, by the ChangeChecker's few threads (identical
//    questions once); a device whose pull would bring something is answered
//    {"changed":true};
//  - its timeout passes: {"changed":false};
//  - the client hangs up (EPOLLRDHUP/EPOLLHUP): its slot is freed, nothing is written;
//  - the server stops: every one is answered {"changed":false} at once.
//
// Answers are written without blocking and the connection is then closed (the client
// opens a new one for its next request; an answer is ~130 bytes, which a fresh socket's
// send buffer always takes). Plain sockets only: a TLS connection's state lives in
// OpenSSL, so TLS listeners keep the threaded wait (docs/architecture.md).
//
// Never a missed change: a device's "seen" version is read before the question that
// found nothing was asked, and any version past it asks again. Never a false wake: only
// Store::HasChanges, the pull's own query, answers true.
//
// Thread safety: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "filesync/durable_file.h"
#include "protocol/result.h"
#include "sync/change_checker.h"
#include "sync/change_notifier.h"
#include "sync/wait_question.h"

namespace q11::server {

class WatcherReactor {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Options {
    int max_watchers = 16000;  // connections held at once; more are refused (503)
    int checker_threads = 2;   // questions asked of the store at once
  };

  // Starts the reactor and checker threads and listens to `changes`.
  // REQUIRES: `store` and `changes` outlive the reactor.
  static Result<std::unique_ptr<WatcherReactor>> Start(SyncStore& store, ChangeNotifier& changes,
                                                       Options options);
  ~WatcherReactor();  // Stop()
  WatcherReactor(const WatcherReactor&) = delete;
  WatcherReactor& operator=(const WatcherReactor&) = delete;

  // A place among the held connections, reserved before the connection is detached from
  // Poco (so a full reactor is still answered 503 by the handler). Given back when
  // destroyed unless passed to Hold().
  class Ticket {
   public:
    Ticket() = default;
    Ticket(Ticket&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
    Ticket& operator=(Ticket&&) = delete;
    ~Ticket();
    explicit operator bool() const { return r_ != nullptr; }

   private:
    friend class WatcherReactor;
    explicit Ticket(WatcherReactor* r) : r_(r) {}
    WatcherReactor* r_ = nullptr;
  };
  // Empty when max_watchers are held (or reserved) or the reactor has stopped.
  Ticket Reserve();

  // Takes over `connection`, a socket whose wait request was read whole and found nothing
  // as of notifier version `seen`, to be answered by `deadline` at the latest.
  // REQUIRES: `ticket` came from this reactor's Reserve().
  void Hold(Ticket ticket, Fd connection, std::shared_ptr<const WaitQuestion> question,
            uint64_t seen, TimePoint deadline);

  // Answers every held connection {"changed":false}, closes them and joins the threads;
  // connections handed over later are answered at once. Idempotent.
  void Stop();

  int held() const { return reserved_.load(); }  // held or reserved now
  uint64_t questions_asked() const { return checker_ ? checker_->asked() : 0; }

 private:
  struct Arrival {
    Fd fd;
    std::shared_ptr<const WaitQuestion> question;
    uint64_t seen = 0;
    TimePoint deadline;
  };
  class Loop;  // the epoll thread's state (watcher_reactor.cc)

  WatcherReactor(ChangeNotifier& changes, Options options, Fd epoll, Fd wake);
  void Wake();
  void Run();

  ChangeNotifier& changes_;
  const Options options_;
  const Fd epoll_;
  const Fd wake_;  // eventfd: arrivals, answers, commits and Stop() wake the thread
  std::atomic<int> reserved_{0};
  std::unique_ptr<ChangeChecker> checker_;

  std::mutex mu_;  // guards the inbox below
  bool stopping_ = false;
  std::vector<Arrival> arrivals_;
  std::vector<ChangeChecker::Answer> answers_;

  std::thread thread_;
};

}  // namespace q11::server
