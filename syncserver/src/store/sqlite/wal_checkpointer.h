// Checkpoints the server database's write-ahead log on a thread of its own.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, so
// whichever push happened to commit then waited while a few megabytes were copied into the
// database file (a tenth of a large push's time). Here the writer's commit hook only counts
// the log's pages and wakes this thread once `pages` more have been written since it last
// did; the thread checkpoints through its own connection in PASSIVE mode: it never blocks
// the writer or the readers, and the next commit goes on appending to the log meanwhile.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "q11sqlite/sqlite.h"

namespace q11::server {

class WalCheckpointer {
 public:
  // Opens its own connection to `path` and installs the commit hook on `writer` (replacing
  // SQLite's automatic checkpoint). REQUIRES: writer outlives the checkpointer.
  static Result<std::unique_ptr<WalCheckpointer>> Start(const std::string& path, sql::Db& writer,
                                                        int pages = 1000);
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // Checkpoints done so far (for tests).
  int64_t checkpoints() const;
  // Checkpoints asked for so far: the commit that crossed the threshold asks, on the
  // writer's thread, before its Exec returns (for tests: "no request" is known at once).
  int64_t requests() const;
  // Blocks until checkpoints() >= n or `timeout` has passed; returns checkpoints() >= n.
  // Requests made while the thread is busy merge into one checkpoint, so wait for a
  // request's checkpoint before the next commit to count them one by one (for tests).
  bool WaitForCheckpoints(int64_t n, std::chrono::milliseconds timeout) const;

 private:
  WalCheckpointer(sql::Db own, sql::Db& writer, int pages);
  static int OnCommit(void* self, sqlite3* db, const char* schema, int pages);
  void Run();

  sql::Db own_;
  sql::Db& writer_;
  const int pages_;
  int asked_at_ = 0;  // log pages at the last request (the writer's thread only)
  mutable std::mutex mu_;
  std::condition_variable wake_;
  mutable std::condition_variable done_;  // a checkpoint finished
  bool due_ = false;
  bool stopping_ = false;
  int64_t checkpoints_ = 0;
  int64_t requests_ = 0;
  std::thread thread_;
};

}  // namespace q11::server
