// The shim itself (fault_vfs.h), on plain SQLite files: a power cut drops exactly what was
// not synced (so a database that does not sync at commit loses acknowledged rows, and one
// with synchronous=FULL keeps them), the process is dead after the cut, and injected errors
// carry the right codes. These are what make the device and server fault tests able to fail.
#include "fault_vfs.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>

using q11::test::faults::Call;
using q11::test::faults::FaultVfs;

namespace {

struct Dir {
  std::string path;
  Dir() {
    char tmpl[] = "/tmp/q11-fault-vfs-XXXXXX";
    REQUIRE(mkdtemp(tmpl) != nullptr);
    path = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

struct Conn {
  sqlite3* db = nullptr;
  explicit Conn(const std::string& path) {
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_extended_result_codes(db, 1);
  }
  ~Conn() { sqlite3_close(db); }
  int Exec(const std::string& sql) {
    return sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  }
  std::string Text(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK)
      return std::string("error: ") + sqlite3_errmsg(db);
    std::string out;
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_text(st, 0))
      out = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
      out = std::string("error: ") + sqlite3_errstr(rc);
    sqlite3_finalize(st);
    return out;
  }
};

// Creates t(x) in `journal` mode with `synchronous`, then commits `rows` single-row
// transactions, each acknowledged (SQLITE_OK); then cuts the power (keep: torn-write odds).
// Returns how many rows the file holds after the cut.
int RowsAfterCut(const std::string& journal, const std::string& synchronous, int rows,
                 double keep = 0.0, uint32_t seed = 0) {
  Dir dir;
  FaultVfs& vfs = FaultVfs::Install();
  vfs.Watch(dir.path + "/");
  const std::string path = dir.path + "/t.db";
  {
    Conn c(path);
    REQUIRE(c.Exec("PRAGMA journal_mode=" + journal) == SQLITE_OK);
    REQUIRE(c.Exec("PRAGMA synchronous=FULL; CREATE TABLE t(x TEXT)") == SQLITE_OK);
    REQUIRE(c.Exec("PRAGMA synchronous=" + synchronous) == SQLITE_OK);
    for (int i = 0; i < rows; ++i)
      REQUIRE(c.Exec("INSERT INTO t VALUES (hex(randomblob(300)))") == SQLITE_OK);
    // Still open when the power goes (a close would checkpoint).
    REQUIRE(vfs.open_files() > 0);
    std::string error;
    CHECK_FALSE(vfs.Recover(&error));  // handles still open: refused
    CHECK(error.find("still open") != std::string::npos);
    vfs.ArmCrash(1);  // the next write is never done, and the process is dead after it
    CHECK(c.Exec("INSERT INTO t VALUES ('late')") != SQLITE_OK);
    CHECK(vfs.crashed());
    CHECK(c.Text("SELECT count(*) FROM t").rfind("error", 0) == 0);
  }
  std::string error;
  REQUIRE(vfs.Recover(&error, keep, seed));
  CHECK_FALSE(std::filesystem::exists(path + "-shm"));
  Conn c(path);
  CHECK(c.Text("PRAGMA integrity_check") == "ok");
  std::string n = c.Text("SELECT count(*) FROM t");
  vfs.Watch("");
  return n.rfind("error", 0) == 0 ? -1 : std::stoi(n);
}

}  // namespace

TEST_CASE("Fault VFS: a power cut keeps what synchronous=FULL synced, in WAL and journal modes",
          "[vfs]") {
  CHECK(RowsAfterCut("WAL", "FULL", 20) == 20);
  CHECK(RowsAfterCut("DELETE", "FULL", 20) == 20);
  CHECK(RowsAfterCut("TRUNCATE", "FULL", 20) == 20);
}

TEST_CASE("Fault VFS: a power cut drops acknowledged commits that were never synced", "[vfs]") {
  // WAL with synchronous=NORMAL syncs only at checkpoints: the commits since are lost.
  CHECK(RowsAfterCut("WAL", "NORMAL", 20) == 0);
  CHECK(RowsAfterCut("WAL", "OFF", 20) == 0);
  // A rollback journal with synchronous=OFF: the table's creation was synced, the rows not.
  CHECK(RowsAfterCut("DELETE", "OFF", 20) == 0);
}

TEST_CASE("Fault VFS: torn writes (each unsynced sector kept or not) never break a FULL database",
          "[vfs]") {
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    INFO("seed " << seed);
    CHECK(RowsAfterCut("WAL", "FULL", 12, 0.5, seed) == 12);
    CHECK(RowsAfterCut("DELETE", "FULL", 12, 0.5, seed) == 12);
  }
  // And with synchronous=NORMAL some of them may survive, never a broken page.
  int survived = 0;
  for (uint32_t seed = 1; seed <= 30; ++seed) {
    int n = RowsAfterCut("WAL", "NORMAL", 12, 0.7, seed);
    REQUIRE(n >= 0);
    survived += n;
  }
  CHECK(survived < 30 * 12);
}

TEST_CASE("Fault VFS: injected errors carry their codes and only the watched files fail", "[vfs]") {
  Dir dir, other;
  FaultVfs& vfs = FaultVfs::Install();
  vfs.Watch(dir.path + "/");
  const std::string path = dir.path + "/t.db";
  {
    Conn c(path);
    REQUIRE(c.Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; CREATE TABLE t(x)") ==
            SQLITE_OK);
    vfs.Reset();
    vfs.ArmError(Call::kWrite, 1, SQLITE_FULL, true);
    CHECK(c.Exec("INSERT INTO t VALUES (1)") == SQLITE_FULL);
    CHECK(c.Exec("INSERT INTO t VALUES (2)") == SQLITE_FULL);  // still full
    CHECK(vfs.errors_returned() == 2);
    CHECK(vfs.first_error().find("write #1") == 0);
    // Another folder is not watched: its writes go through.
    Conn o(other.path + "/o.db");
    CHECK(o.Exec("CREATE TABLE o(x); INSERT INTO o VALUES (1)") == SQLITE_OK);
    vfs.Reset();
    CHECK(c.Exec("INSERT INTO t VALUES (3)") == SQLITE_OK);  // room again

    vfs.ArmError(Call::kSync, 1, 0);
    CHECK(c.Exec("INSERT INTO t VALUES (4)") == SQLITE_IOERR_FSYNC);
    CHECK(c.Exec("INSERT INTO t VALUES (5)") == SQLITE_OK);  // once only
    vfs.Reset();
  }
  {
    Conn c(path);  // cold: the first query reads the file
    vfs.ArmError(Call::kRead, 1, 0);
    CHECK(c.Text("SELECT count(*) FROM t") ==
          std::string("error: ") + sqlite3_errstr(SQLITE_IOERR_READ));
    CHECK(c.Text("SELECT count(*) FROM t") == "2");
    vfs.Reset();
  }
  {
    vfs.ArmError(Call::kOpen, 1, 0);
    sqlite3* db = nullptr;
    CHECK(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_CANTOPEN);
    sqlite3_close(db);
  }
  vfs.Watch("");
}
