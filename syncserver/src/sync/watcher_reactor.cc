#include "sync/watcher_reactor.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <unordered_map>

#include "log/logger.h"
#include "sync/wait_answer.h"

namespace q11::server {
namespace {

constexpr uint64_t kWakeId = 0;  // epoll data of the eventfd; watchers count from 1

// Writes a whole answer without blocking; a client that cannot take ~130 bytes at once
// is not waiting for them, and is closed either way.
void SendAnswer(int fd, const std::string& bytes) {
  (void)::send(fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

}  // namespace

// The reactor thread's own state: touched by Run() only, so no lock.
class WatcherReactor::Loop {
 public:
  Loop(WatcherReactor& r) : r_(r) {}

  void Run() {
    std::vector<epoll_event> events(512);
    for (;;) {
      int n = ::epoll_wait(r_.epoll_.get(), events.data(), static_cast<int>(events.size()),
                           TimeoutMs());
      if (n < 0 && errno != EINTR) {
        log::Error(std::string("watchers: epoll_wait: ") + std::strerror(errno));
        n = 0;  // keep serving deadlines and answers; the next wait will tell again
      }
      for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 == kWakeId) {
          uint64_t count;
          (void)!::read(r_.wake_.get(), &count, sizeof count);
        } else {
          Drop(events[i].data.u64);  // only hangups and errors are asked for
        }
      }
      std::vector<Arrival> arrivals;
      std::vector<ChangeChecker::Answer> answers;
      bool stopping;
      {
        std::lock_guard<std::mutex> lock(r_.mu_);
        stopping = r_.stopping_;
        arrivals.swap(r_.arrivals_);
        answers.swap(r_.answers_);
      }
      for (Arrival& a : arrivals) Take(std::move(a));
      if (stopping) {
        while (!watchers_.empty()) Finish(watchers_.begin()->first, WaitAnswer(false));
        return;
      }
      const auto now = std::chrono::steady_clock::now();
      for (ChangeChecker::Answer& a : answers) Settle(a, now);
      Expire(now);
      AskAgain();
    }
  }

 private:
  struct Watcher {
    Fd fd;
    std::shared_ptr<const WaitQuestion> question;
    uint64_t seen = 0;
    TimePoint deadline;
    std::multimap<TimePoint, uint64_t>::iterator timer;
    bool checking = false;
  };

  int TimeoutMs() const {
    if (timers_.empty()) return 1000;
    auto wait = std::chrono::ceil<std::chrono::milliseconds>(timers_.begin()->first -
                                                             std::chrono::steady_clock::now());
    // A deadline already passed belongs to a device being asked: look again soon.
    return static_cast<int>(std::clamp<int64_t>(wait.count(), 10, 1000));
  }

  void Take(Arrival a) {
    const uint64_t id = next_id_++;
    epoll_event ev{};
    ev.events = EPOLLRDHUP;  // hangups only: the request was read whole; EPOLLHUP/ERR implied
    ev.data.u64 = id;
    if (::epoll_ctl(r_.epoll_.get(), EPOLL_CTL_ADD, a.fd.get(), &ev) != 0) {
      SendAnswer(a.fd.get(),
                 WaitErrorAnswer(Unavailable(std::string("cannot hold the connection: ") +
                                             std::strerror(errno))));
      r_.reserved_.fetch_sub(1);
      return;
    }
    auto timer = timers_.emplace(a.deadline, id);
    watchers_.emplace(
        id, Watcher{std::move(a.fd), std::move(a.question), a.seen, a.deadline, timer, false});
    r_.changes_.AddHeld(1);
    candidates_.push_back(id);
  }

  void Settle(const ChangeChecker::Answer& a, TimePoint now) {
    for (uint64_t id : a.watchers) {
      auto it = watchers_.find(id);
      if (it == watchers_.end()) continue;  // hung up while asked
      Watcher& w = it->second;
      w.checking = false;
      if (!a.changed.ok()) {
        Finish(id, WaitErrorAnswer(a.changed.status()));
      } else if (*a.changed) {
        Finish(id, WaitAnswer(true));
      } else if (w.deadline <= now) {
        Finish(id, WaitAnswer(false));
      } else {
        w.seen = std::max(w.seen, a.version);
        candidates_.push_back(id);
      }
    }
  }

  void Expire(TimePoint now) {
    std::vector<uint64_t> due;
    for (auto it = timers_.begin(); it != timers_.end() && it->first <= now; ++it)
      if (!watchers_.at(it->second).checking) due.push_back(it->second);
    for (uint64_t id : due) Finish(id, WaitAnswer(false));
  }

  // Asks again every device that has not been asked since the last commit.
  void AskAgain() {
    const uint64_t version = r_.changes_.version();  // before the questions: see the header
    std::vector<ChangeChecker::Check> round;
    auto consider = [&](uint64_t id, Watcher& w) {
      if (w.checking || w.seen >= version) return;
      w.checking = true;
      round.push_back({id, w.question});
    };
    if (version != scanned_) {
      for (auto& [id, w] : watchers_) consider(id, w);
      scanned_ = version;
    } else {
      for (uint64_t id : candidates_) {
        auto it = watchers_.find(id);
        if (it != watchers_.end()) consider(id, it->second);
      }
    }
    candidates_.clear();
    if (!round.empty()) r_.checker_->Submit(version, round);
  }

  // Forgets the device first, so that whoever reads the answer finds it no longer counted
  // as waiting (GET /healthz), then answers and closes.
  void Finish(uint64_t id, const std::string& answer) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    ::epoll_ctl(r_.epoll_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
    Fd connection(std::move(it->second.fd));
    Forget(it);
    SendAnswer(connection.get(), answer);
  }  // closes the connection

  // A hang-up: nothing to write.
  void Drop(uint64_t id) {
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    ::epoll_ctl(r_.epoll_.get(), EPOLL_CTL_DEL, it->second.fd.get(), nullptr);
    Forget(it);  // closes the connection
  }

  void Forget(std::unordered_map<uint64_t, Watcher>::iterator it) {
    timers_.erase(it->second.timer);
    watchers_.erase(it);
    r_.changes_.AddHeld(-1);
    r_.reserved_.fetch_sub(1);
  }

  WatcherReactor& r_;
  std::unordered_map<uint64_t, Watcher> watchers_;
  std::multimap<TimePoint, uint64_t> timers_;  // deadlines
  std::vector<uint64_t> candidates_;           // arrived or answered since the last round
  uint64_t next_id_ = kWakeId + 1;
  uint64_t scanned_ = 0;  // the version every watcher was last considered at
};

Result<std::unique_ptr<WatcherReactor>> WatcherReactor::Start(SyncStore& store,
                                                              ChangeNotifier& changes,
                                                              Options options) {
  Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
  if (epoll.get() < 0) return Internal(std::string("epoll_create1: ") + std::strerror(errno));
  Fd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (wake.get() < 0) return Internal(std::string("eventfd: ") + std::strerror(errno));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeId;
  if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &ev) != 0)
    return Internal(std::string("epoll_ctl: ") + std::strerror(errno));
  std::unique_ptr<WatcherReactor> r(
      new WatcherReactor(changes, options, std::move(epoll), std::move(wake)));
  WatcherReactor* self = r.get();
  r->checker_ = std::make_unique<ChangeChecker>(store, std::max(1, options.checker_threads),
                                                [self](std::vector<ChangeChecker::Answer> answers) {
                                                  {
                                                    std::lock_guard<std::mutex> lock(self->mu_);
                                                    for (auto& a : answers)
                                                      self->answers_.push_back(std::move(a));
                                                  }
                                                  self->Wake();
                                                });
  changes.SetListener([self] { self->Wake(); });
  r->thread_ = std::thread([self] { self->Run(); });
  return r;
}

WatcherReactor::WatcherReactor(ChangeNotifier& changes, Options options, Fd epoll, Fd wake)
    : changes_(changes), options_(options), epoll_(std::move(epoll)), wake_(std::move(wake)) {}

WatcherReactor::~WatcherReactor() { Stop(); }

void WatcherReactor::Wake() {
  uint64_t one = 1;
  (void)!::write(wake_.get(), &one, sizeof one);
}

void WatcherReactor::Run() { Loop(*this).Run(); }

WatcherReactor::Ticket WatcherReactor::Reserve() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return Ticket();
  }
  int n = reserved_.load();
  do {
    if (n >= options_.max_watchers) return Ticket();
  } while (!reserved_.compare_exchange_weak(n, n + 1));
  return Ticket(this);
}

WatcherReactor::Ticket::~Ticket() {
  if (r_ != nullptr) r_->reserved_.fetch_sub(1);
}

void WatcherReactor::Hold(Ticket ticket, Fd connection,
                          std::shared_ptr<const WaitQuestion> question, uint64_t seen,
                          TimePoint deadline) {
  ticket.r_ = nullptr;  // the place now belongs to the held connection
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!stopping_) {
      arrivals_.push_back(Arrival{std::move(connection), std::move(question), seen, deadline});
    }
  }
  if (connection.get() >= 0) {  // stopped: answered here, as the reactor answered the rest
    SendAnswer(connection.get(), WaitAnswer(false));
    reserved_.fetch_sub(1);
    return;
  }
  Wake();
}

void WatcherReactor::Stop() {
  changes_.SetListener({});
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  Wake();
  if (thread_.joinable()) thread_.join();
  if (checker_) checker_->Stop();
}

}  // namespace q11::server
