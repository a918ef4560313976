#include "group_commit.h"

#include <algorithm>
#include <exception>
#include <string>

namespace q11::server {

Result<std::unique_ptr<GroupCommit>> GroupCommit::Create(sql::Db& db, std::mutex& write_mu,
                                                         size_t max_group) {
  std::unique_ptr<GroupCommit> g(new GroupCommit(db, write_mu, std::max<size_t>(1, max_group)));
  Result<std::unique_ptr<WriteTransaction>> txn = WriteTransaction::Create(db, "request");
  if (!txn.ok()) return txn.status();
  g->txn_ = std::move(*txn);
  return g;
}

Status GroupCommit::Run(const WriteJob& job) {
  Pending me{&job, Status::Ok(), false};
  std::unique_lock<std::mutex> lock(mu_);
  waiting_.push_back(&me);
  wake_.wait(lock, [&] { return me.done || !leading_; });
  // Lead until this write is done: the queue is first come first served, so with more
  // than max_group waiting it is in a later group, which this thread then leads too.
  while (!me.done) {
    leading_ = true;
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
    leading_ = false;
    wake_.notify_all();
  }
  return me.result;
}

void GroupCommit::RunGroup(const std::vector<Pending*>& group) {
  std::vector<Pending*> members;  // the writes of the transaction now open
  for (Pending* p : group) {
    if (!txn_->InTransaction()) {
      Status begun = txn_->Begin();
      if (!begun.ok()) {
        p->result = begun;
        continue;
      }
    }
    Status s = txn_->Savepoint();
    if (s.ok()) {
      try {
        s = (*p->job)();
      } catch (const std::exception& e) {  // out of memory: the other writes go on
        s = Internal(std::string("write failed: ") + e.what());
      }
      if (s.ok()) s = txn_->ReleaseSavepoint();
    }
    if (s.ok()) {
      members.push_back(p);
      continue;
    }
    p->result = s;
    if (txn_->InTransaction() && txn_->RollbackSavepoint().ok()) continue;
    // SQLite gave up the whole transaction (or could not roll back to the savepoint):
    // the writes before this one are gone with it.
    txn_->Rollback();
    for (Pending* m : members) m->result = s;
    members.clear();
  }
  Finish(members);
}

void GroupCommit::Finish(std::vector<Pending*>& members) {
  if (!txn_->InTransaction()) return;
  Status committed = txn_->Commit();
  if (!committed.ok()) {
    txn_->Rollback();
    for (Pending* m : members) m->result = committed;
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_.commits;
  counts_.jobs += members.size();
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
