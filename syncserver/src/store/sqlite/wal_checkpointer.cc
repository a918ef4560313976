#include "store/sqlite/wal_checkpointer.h"

#include <cstdio>

#include "log/logger.h"

namespace q11::server {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::Start(const std::string& path,
                                                                sql::Db& writer, int pages) {
  Result<sql::Db> own = sql::Db::Open(path, /*create=*/false);
  if (!own.ok()) return own.status();
  // A connection learns that the file is in WAL mode when it first reads it; until then a
  // checkpoint through it does nothing.
  Result<std::optional<std::string>> mode = own->QueryText("PRAGMA journal_mode");
  if (!mode.ok()) return mode.status();
  if (mode->value_or("") != "wal")
    return FailedPrecondition("the database is not in WAL mode: " + mode->value_or(""));
  std::unique_ptr<WalCheckpointer> c(new WalCheckpointer(std::move(*own), writer, pages));
  sqlite3_wal_hook(writer.get(), &WalCheckpointer::OnCommit, c.get());
  c->thread_ = std::thread([p = c.get()] { p->Run(); });
  return c;
}

WalCheckpointer::WalCheckpointer(sql::Db own, sql::Db& writer, int pages)
    : own_(std::move(own)), writer_(writer), pages_(pages) {}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.get(), nullptr, nullptr);
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t WalCheckpointer::checkpoints() const {
  std::lock_guard<std::mutex> lock(mu_);
  return checkpoints_;
}

int64_t WalCheckpointer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

bool WalCheckpointer::WaitForCheckpoints(int64_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return done_.wait_for(lock, timeout, [&] { return checkpoints_ >= n; });
}

int WalCheckpointer::OnCommit(void* self, sqlite3* /*db*/, const char* /*schema*/, int pages) {
  auto* c = static_cast<WalCheckpointer*>(self);
  // Count from the last request, not from the log's start: while pulls keep reading, the
  // log cannot start over, and asking at every commit past the threshold copied the same
  // hot index pages into the file once per commit (about half the disk writes of the
  // benchmark's upload). Runs on the writer's thread only.
  if (pages < c->asked_at_) c->asked_at_ = 0;  // the log started over
  if (pages - c->asked_at_ < c->pages_) return SQLITE_OK;
  c->asked_at_ = pages;
  {
    std::lock_guard<std::mutex> lock(c->mu_);
    c->due_ = true;
    ++c->requests_;
  }
  c->wake_.notify_one();
  return SQLITE_OK;
}

void WalCheckpointer::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return due_ || stopping_; });
    if (stopping_) return;
    due_ = false;
    lock.unlock();
    int rc =
        sqlite3_wal_checkpoint_v2(own_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    // BUSY: another checkpoint is running; the next commit over the threshold asks again.
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
      log::Error(std::string("WAL checkpoint: ") + sqlite3_errmsg(own_.get()));
    lock.lock();
    ++checkpoints_;
    done_.notify_all();
  }
}

}  // namespace q11::server
