// Checkpoints the server database's write-ahead log on a thread of its own.
//
// SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold, so
// whichever push happened to commit then waited while a few megabytes were copied into the
// database file (a tenth of a large push's time). Here the writer's commit hook only counts
// the log's pages and wakes this thread once `pages` more have been written since it last
// did; the thread checkpoints through its own connection in PASSIVE mode: it never blocks
// the writer or the readers, and the next commit goes on appending to the log meanwhile.
#pragma once

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
  bool due_ = false;
  bool stopping_ = false;
  int64_t checkpoints_ = 0;
  std::thread thread_;
};

}  // namespace q11::server
