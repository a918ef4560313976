// The parts of `syncserver backup` and `restore` below the command line: the online copy
// is one snapshot even when the database changes between its steps, and the data folder's
// lock keeps a restore away from a running server (tests/integration/backup_test.cc runs
// the commands against the real server).
#include <unistd.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "q11sqlite/sqlite.h"
#include "store/data_dir_lock.h"
#include "store/sqlite/online_backup.h"

using namespace q11;
using namespace q11::server;

namespace {

struct TempFolder {
  TempFolder() {
    path = std::filesystem::temp_directory_path() /
           ("q11-backup-parts-" + std::to_string(::getpid()) + "-" + std::to_string(++count));
    std::filesystem::create_directories(path);
  }
  ~TempFolder() { std::filesystem::remove_all(path); }
  std::string File(const std::string& name) const { return (path / name).string(); }
  std::filesystem::path path;
  static inline int count = 0;
};

std::string Text(sql::Db& db, const std::string& query) {
  auto v = db.QueryText(query);
  REQUIRE(v.ok());
  return v->value_or("");
}

}  // namespace

TEST_CASE("The online copy is one snapshot while another connection writes between its steps") {
  TempFolder tmp;
  auto writer = sql::Db::Open(tmp.File("live.db"));
  REQUIRE(writer.ok());
  REQUIRE(writer
              ->Exec("PRAGMA journal_mode=WAL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                     "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                     "2000) INSERT INTO t SELECT i, printf('%0500d', i) FROM n")
              .ok());
  OnlineBackupOptions options;
  options.pages_per_step = 8;
  options.sleep_ms = 0;
  int steps = 0, writes = 0;
  int64_t last_done = -1;
  bool monotonic = true;
  options.progress = [&](const BackupProgress& p) {
    ++steps;
    monotonic = monotonic && p.pages_done > last_done && p.pages_done <= p.pages_total;
    last_done = p.pages_done;
    // The server commits between the copy's steps: more rows, and changed ones.
    if (writer
            ->Exec("INSERT INTO t (v) VALUES ('later'); UPDATE t SET v = 'changed' WHERE id = " +
                   std::to_string(1 + steps % 2000))
            .ok())
      ++writes;
  };
  auto copied = CopyLiveDatabase(tmp.File("live.db"), tmp.File("copy.db"), options);
  REQUIRE(copied.ok());
  CHECK(steps > 10);
  CHECK(writes == steps);
  CHECK(monotonic);  // never restarted from the first page
  CHECK(copied->pages_done == copied->pages_total);
  auto copy = sql::Db::Open(tmp.File("copy.db"), false);
  REQUIRE(copy.ok());
  CHECK(Text(*copy, "PRAGMA integrity_check") == "ok");
  CHECK(Text(*copy, "SELECT count(*) FROM t") == "2000");
  CHECK(Text(*copy, "SELECT count(*) FROM t WHERE v IN ('later', 'changed')") == "0");
  CHECK(Text(*writer, "SELECT count(*) FROM t") == std::to_string(2000 + writes));
}

TEST_CASE("The online copy refuses a missing or foreign source") {
  TempFolder tmp;
  CHECK(CopyLiveDatabase(tmp.File("none.db"), tmp.File("c.db")).status().code() ==
        StatusCode::kNotFound);
  { std::ofstream(tmp.File("text.db")) << std::string(8192, 'x'); }
  CHECK(CopyLiveDatabase(tmp.File("text.db"), tmp.File("c2.db")).status().code() ==
        StatusCode::kFailedPrecondition);
}

TEST_CASE("The data folder's lock: servers share it, a restore needs it alone") {
  TempFolder tmp;
  const std::string dir = tmp.path.string();
  {
    auto server1 = DataDirLock::Take(dir, DataDirLock::Mode::kShared);
    auto server2 = DataDirLock::Take(dir, DataDirLock::Mode::kShared);
    REQUIRE(server1.ok());
    REQUIRE(server2.ok());
    auto restore = DataDirLock::Take(dir, DataDirLock::Mode::kExclusive);
    CHECK(restore.status().code() == StatusCode::kFailedPrecondition);
    CHECK(restore.status().message().find("a server is running") != std::string::npos);
  }
  auto restore = DataDirLock::Take(dir, DataDirLock::Mode::kExclusive);
  REQUIRE(restore.ok());
  auto server = DataDirLock::Take(dir, DataDirLock::Mode::kShared);
  CHECK(server.status().code() == StatusCode::kFailedPrecondition);
  CHECK(server.status().message().find("being restored") != std::string::npos);
}
