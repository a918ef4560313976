#include "sync/change_notifier.h"

namespace q11::server {

void ChangeNotifier::Notify() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++version_;
    // Under the lock: once SetListener() has replaced it, the old listener is not running.
    if (listener_) listener_();
  }
  changed_.notify_all();
}

void ChangeNotifier::SetListener(std::function<void()> listener) {
  std::lock_guard<std::mutex> lock(mu_);
  listener_ = std::move(listener);
}

void ChangeNotifier::AddHeld(int delta) {
  std::lock_guard<std::mutex> lock(mu_);
  held_ += delta;
}

void ChangeNotifier::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shutdown_ = true;
  }
  changed_.notify_all();
}

uint64_t ChangeNotifier::version() const {
  std::lock_guard<std::mutex> lock(mu_);
  return version_;
}

int ChangeNotifier::sleeping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return sleeping_ + held_;
}

bool ChangeNotifier::WaitPast(uint64_t seen, std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  // Counted under the lock the wait releases: whoever reads sleeping() > 0 knows this
  // thread is inside the wait, so a Notify() from then on wakes it.
  ++sleeping_;
  changed_.wait_until(lock, deadline, [&] { return shutdown_ || version_ != seen; });
  --sleeping_;
  return !shutdown_ && version_ != seen;
}

ChangeNotifier::Slot ChangeNotifier::TryEnter() {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutdown_ || waiters_ >= max_waiters_) return Slot();
  ++waiters_;
  return Slot(this);
}

ChangeNotifier::Slot::~Slot() {
  if (n_ == nullptr) return;
  std::lock_guard<std::mutex> lock(n_->mu_);
  --n_->waiters_;
}

}  // namespace q11::server
