#include "store/sql/group_commit.h"

#include <algorithm>
#include <exception>
#include <string>

namespace q11::server {

Result<std::unique_ptr<GroupCommit>> GroupCommit::Create(
    SqlConn& db, std::mutex& write_mu, size_t max_group,
    std::function<void(size_t writes)> on_commit) {
  std::unique_ptr<GroupCommit> g(
      new GroupCommit(db, write_mu, std::max<size_t>(1, max_group), std::move(on_commit)));
  g->writer_ = std::thread([p = g.get()] { p->Loop(); });
  return g;
}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  work_.notify_one();
  writer_.join();
}

Status GroupCommit::Run(const WriteJob& job) {
  Pending me{&job, Status::Ok(), false};
  std::unique_lock<std::mutex> lock(mu_);
  if (stop_) return Unavailable("the server is stopping / máy chủ đang dừng");
  waiting_.push_back(&me);
  work_.notify_one();
  done_.wait(lock, [&] { return me.done; });
  return me.result;
}

void GroupCommit::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_.wait(lock, [&] { return stop_ || !waiting_.empty(); });
    if (waiting_.empty()) return;  // stopping, and every write handed over is done
    const auto n = static_cast<long>(std::min(waiting_.size(), max_group_));
    std::vector<Pending*> group(waiting_.begin(), waiting_.begin() + n);
    waiting_.erase(waiting_.begin(), waiting_.begin() + n);
    lock.unlock();
    {
      std::lock_guard<std::mutex> write(write_mu_);
      RunGroup(group);
    }
    lock.lock();
    for (Pending* p : group) p->done = true;
    done_.notify_all();
  }
}

Status GroupCommit::RunJob(const Pending& p) {
  try {
    return (*p.job)();
  } catch (const std::exception& e) {  // out of memory: the other writes go on
    return Internal(std::string("write failed: ") + e.what());
  }
}

void GroupCommit::RunGroup(std::vector<Pending*> group) {
  while (!group.empty()) {
    Status begun = db_->BeginWrite();
    if (!begun.ok()) {
      for (Pending* p : group) p->result = begun;
      return;
    }
    size_t failed = 0;
    while (failed < group.size() && (group[failed]->result = RunJob(*group[failed])).ok()) ++failed;
    if (failed == group.size()) {
      Status committed = db_->Commit();
      if (!committed.ok()) {
        db_->Rollback();
        for (Pending* p : group) p->result = committed;
        return;
      }
      if (on_commit_) on_commit_(group.size());
      std::lock_guard<std::mutex> lock(mu_);
      ++counts_.commits;
      counts_.jobs += group.size();
      return;
    }
    // Take everything back and go again without the failed write (it keeps its error).
    db_->Rollback();
    group.erase(group.begin() + static_cast<long>(failed));
  }
}

size_t GroupCommit::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_.size();
}

GroupCommit::Counts GroupCommit::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

}  // namespace q11::server
