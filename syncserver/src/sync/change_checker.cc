#include "sync/change_checker.h"

#include <string>
#include <unordered_map>

namespace q11::server {
namespace {

// Answers are handed back at least this often (per thread): the reactor can answer the
// first woken devices while the rest of a large round is still being asked.
constexpr size_t kDeliverBatch = 64;

}  // namespace

ChangeChecker::ChangeChecker(SyncStore& store, int threads, Deliver deliver)
    : store_(store), deliver_(std::move(deliver)) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Run(); });
}

ChangeChecker::~ChangeChecker() { Stop(); }

void ChangeChecker::Submit(uint64_t version, const std::vector<Check>& checks) {
  if (checks.empty()) return;
  std::unordered_map<std::string, size_t> by_key;
  std::vector<Group> groups;
  for (const Check& c : checks) {
    auto [it, added] = by_key.emplace(c.question->Key(), groups.size());
    if (added) groups.push_back(Group{version, c.question, {}});
    groups[it->second].watchers.push_back(c.watcher);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return;
    for (Group& g : groups) queue_.push_back(std::move(g));
  }
  work_.notify_all();
}

void ChangeChecker::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    queue_.clear();
  }
  work_.notify_all();
  for (std::thread& t : threads_)
    if (t.joinable()) t.join();
}

uint64_t ChangeChecker::asked() const {
  std::lock_guard<std::mutex> lock(mu_);
  return asked_;
}

void ChangeChecker::Run() {
  std::vector<Answer> done;
  for (;;) {
    Group g;
    {
      std::unique_lock<std::mutex> lock(mu_);
      if (!done.empty() && (queue_.empty() || done.size() >= kDeliverBatch)) {
        lock.unlock();
        deliver_(std::move(done));
        done.clear();
        lock.lock();
      }
      work_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      g = std::move(queue_.front());
      queue_.pop_front();
      ++asked_;
    }
    const WaitQuestion& q = *g.question;
    Answer a;
    a.watchers = std::move(g.watchers);
    a.version = g.version;
    a.changed = store_.HasChanges(q.account, q.cursor, q.device_id);
    done.push_back(std::move(a));
  }
}

}  // namespace q11::server
