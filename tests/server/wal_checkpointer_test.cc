// The background WAL checkpointer: commits over the threshold get the log copied into the
// database by its own thread, and the writer never checkpoints itself.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>

#include "server_test_support.h"
#include "store/sqlite/server_schema.h"
#include "store/sqlite/wal_checkpointer.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

TEST_CASE("Commits past the threshold are checkpointed by the background thread") {
  TempDir dir;
  const std::string path = dir.path() + "/wal.db";
  auto writer = sql::Db::Open(path, true);
  REQUIRE(writer.ok());
  REQUIRE(writer->Exec("PRAGMA journal_mode=WAL; CREATE TABLE t (v BLOB)").ok());
  auto checkpointer = WalCheckpointer::Start(path, *writer, /*pages=*/4);
  REQUIRE(checkpointer.ok());

  // Small commits under the threshold: nothing to do. The commit hook has decided by the
  // time Exec returns, so "not asked" means no checkpoint can follow.
  REQUIRE(writer->Exec("INSERT INTO t VALUES (x'01')").ok());
  CHECK((*checkpointer)->requests() == 0);
  CHECK((*checkpointer)->checkpoints() == 0);

  // One commit of many pages wakes the thread, which copies the log into the file.
  REQUIRE(writer
              ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20) "
                     "INSERT INTO t SELECT randomblob(4000) FROM n")
              .ok());
  CHECK((*checkpointer)->requests() == 1);
  CHECK((*checkpointer)->WaitForCheckpoints(1, std::chrono::seconds(10)));
  CHECK((*checkpointer)->checkpoints() >= 1);
  // The pages are in the database file itself now, not only in the log.
  CHECK(std::filesystem::file_size(path) > 20 * 4000);
  auto rows = writer->QueryText("SELECT count(*) FROM t");
  CHECK(rows->value_or("") == "21");
}

TEST_CASE("While readers keep the log from starting over, checkpoints follow its growth") {
  TempDir dir;
  const std::string path = dir.path() + "/wal.db";
  auto writer = sql::Db::Open(path, true);
  REQUIRE(writer.ok());
  REQUIRE(writer->Exec("PRAGMA journal_mode=WAL; CREATE TABLE t (v BLOB)").ok());
  // A pull in progress: its snapshot keeps the log from being started over.
  auto reader = sql::Db::Open(path, false);
  REQUIRE(reader.ok());
  REQUIRE(reader->Exec("BEGIN").ok());
  REQUIRE(reader->QueryText("SELECT count(*) FROM t").ok());
  auto checkpointer = WalCheckpointer::Start(path, *writer, /*pages=*/8);
  REQUIRE(checkpointer.ok());
  // Lets the checkpoint a commit asked for finish, so no two requests merge.
  auto settle = [&] {
    REQUIRE(
        (*checkpointer)->WaitForCheckpoints((*checkpointer)->requests(), std::chrono::seconds(10)));
  };
  REQUIRE(writer
              ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10) "
                     "INSERT INTO t SELECT randomblob(4000) FROM n")
              .ok());
  settle();
  REQUIRE((*checkpointer)->checkpoints() == 1);
  // Twenty small commits (a page or two each) past the threshold: a checkpoint per eight
  // new pages or so, not one per commit.
  for (int i = 0; i < 20; ++i) {
    REQUIRE(writer->Exec("INSERT INTO t VALUES (randomblob(3000))").ok());
    settle();
  }
  const int64_t after = (*checkpointer)->checkpoints();
  CHECK(after == (*checkpointer)->requests());  // settle() kept requests from merging
  CHECK(after >= 3);
  CHECK(after <= 10);  // asking at every commit would make 21
  REQUIRE(reader->Exec("COMMIT").ok());
}

TEST_CASE("After a burst the log is cut back to its size limit when it starts over") {
  TempDir dir;
  const std::string path = dir.path() + "/burst.db";
  auto writer = sql::Db::Open(path, true);
  REQUIRE(writer.ok());
  REQUIRE(PrepareServerDatabase(*writer).ok());
  REQUIRE(writer->Exec("CREATE TABLE burst (v BLOB)").ok());
  auto checkpointer = WalCheckpointer::Start(path, *writer, /*pages=*/1000);
  REQUIRE(checkpointer.ok());
  // A burst of about 24 MiB in one transaction: the log grows past the limit.
  REQUIRE(writer
              ->Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                     "6000) INSERT INTO burst SELECT randomblob(4000) FROM n")
              .ok());
  const std::string wal = path + "-wal";
  CHECK(std::filesystem::file_size(wal) > static_cast<uintmax_t>(kWalSizeLimitBytes));
  REQUIRE((*checkpointer)->WaitForCheckpoints(1, std::chrono::seconds(30)));
  // The background checkpoint may have met the writer's commit; a passive one here then
  // copies the rest (nobody reads), so the next commit starts the log over.
  REQUIRE(sqlite3_wal_checkpoint_v2(writer->get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                    nullptr) == SQLITE_OK);
  REQUIRE(writer->Exec("INSERT INTO burst VALUES (x'01')").ok());
  CHECK(std::filesystem::file_size(wal) <= static_cast<uintmax_t>(kWalSizeLimitBytes));
  CHECK(writer->QueryText("SELECT count(*) FROM burst")->value_or("") == "6001");
}
