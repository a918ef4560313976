// The server's one writer (db_writer.h): token and audit writes go through the store's
// write connection, so they neither invalidate its page cache nor lose a refusal that
// must be committed; the command-line writer keeps a failing job's writes out.
#include <catch2/catch.hpp>

#include "audit/security_audit.h"
#include "auth/refresh_tokens.h"
#include "server_test_support.h"
#include "store/db_writer.h"
#include "store/sqlite/sqlite_store.h"
#include "syncserver/store.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

int64_t CacheMisses(SqlConn& db) {
  int misses = 0, high = 0;
  sqlite3_db_status(dynamic_cast<SqliteConn&>(db).db().get(), SQLITE_DBSTATUS_CACHE_MISS, &misses,
                    &high, /*reset=*/0);
  return misses;
}

// Reads every row of `filler` on the writer connection; returns the page-cache misses
// that took.
int64_t MissesToReadFiller(DbWriter& writer) {
  int64_t misses = -1;
  Status read = writer.Write([&](SqlConn& db) -> Status {
    int64_t before = CacheMisses(db);
    Result<std::optional<std::string>> sum = db.QueryText("SELECT sum(length(b)) FROM filler");
    if (!sum.ok()) return sum.status();
    misses = CacheMisses(db) - before;
    return Status::Ok();
  });
  REQUIRE(read.ok());
  return misses;
}

int64_t Count(const std::string& db_path, const std::string& sql) {
  auto db = sql::Db::Open(db_path, false);
  REQUIRE(db.ok());
  auto n = db->QueryText(sql);
  REQUIRE(n.ok());
  return std::stoll(n->value_or("-1"));
}

}  // namespace

TEST_CASE("Server writer: logins and audits keep the push writer's page cache warm") {
  TempDir dir;
  const std::string path = dir.path() + "/syncserver.db";
  auto store = OpenSqliteServerStore(path);
  REQUIRE(store.ok());
  DbWriter* writer = store->get();
  // About 300 pages, well inside the writer's cache.
  REQUIRE(writer
              ->Write([](SqlConn& db) {
                return db.Exec(
                    "CREATE TABLE filler (b BLOB);"
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)"
                    " INSERT INTO filler SELECT randomblob(1000) FROM n");
              })
              .ok());
  (void)MissesToReadFiller(*writer);  // warm
  REQUIRE(MissesToReadFiller(*writer) == 0);

  SECTION("through the store's writer: the cache stays") {
    auto tokens = RefreshTokens::Open(*writer, /*ttl_seconds=*/1000);
    REQUIRE(tokens.ok());
    REQUIRE((*tokens)->IssueFamily("u1", 1'800'000'000).ok());
    auto audit = SecurityAudit::Open(*writer, [] { return int64_t{1'800'000'000'000}; });
    REQUIRE(audit->Record("an", "login.succeeded", "user/an", "{}").ok());
    CHECK(MissesToReadFiller(*writer) == 0);
    CHECK(Count(path, "SELECT count(*) FROM refresh_tokens") == 1);
    CHECK(Count(path, "SELECT count(*) FROM audit_log WHERE action = 'login.succeeded'") == 1);
  }
  SECTION("on a connection of their own (the old way): SQLite drops the writer's cache") {
    auto tokens = RefreshTokens::Open(path, /*ttl_seconds=*/1000);
    REQUIRE(tokens.ok());
    REQUIRE((*tokens)->IssueFamily("u1", 1'800'000'000).ok());
    CHECK(MissesToReadFiller(*writer) > 200);
  }
}

TEST_CASE("Server writer: a reused refresh token is refused and its family revocation kept") {
  TempDir dir;
  auto store = OpenSqliteServerStore(dir.path() + "/syncserver.db");
  REQUIRE(store.ok());
  auto tokens = RefreshTokens::Open(**store, /*ttl_seconds=*/1000);
  REQUIRE(tokens.ok());
  RefreshTokens& rt = **tokens;
  const int64_t t = 1'800'000'000;
  auto first = rt.IssueFamily("u1", t);
  REQUIRE(first.ok());
  auto second = rt.Rotate(first->token, t + 1);
  REQUIRE(second.ok());
  // The refusal is the answer, but the write behind it (the revocation) is committed.
  auto reused = rt.Rotate(first->token, t + 1 + kReuseGraceSeconds + 1);
  CHECK_THAT(reused.status().message(), Catch::Contains("reused"));
  CHECK(rt.Rotate(second->token, t + 40).status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("Own writer: a failing job's writes are taken back, the next job goes on") {
  TempDir dir;
  const std::string path = dir.path() + "/tool.db";
  auto writer = OpenOwnWriter(path);
  REQUIRE(writer.ok());
  REQUIRE((*writer)->Write([](SqlConn& db) { return db.Exec("CREATE TABLE t (x)"); }).ok());
  Status failed = (*writer)->Write([](SqlConn& db) -> Status {
    Q11_RETURN_IF_ERROR(db.Exec("INSERT INTO t VALUES (1)"));
    return Aborted("changed my mind");
  });
  CHECK(failed.code() == StatusCode::kAborted);
  REQUIRE((*writer)->Write([](SqlConn& db) { return db.Exec("INSERT INTO t VALUES (2)"); }).ok());
  CHECK(Count(path, "SELECT count(*) FROM t") == 1);
  CHECK(Count(path, "SELECT sum(x) FROM t") == 2);
}

TEST_CASE("Server writer: a full store answers a write with a clear error, nothing half-saved") {
  TempDir dir;
  const std::string path = dir.path() + "/syncserver.db";
  StoreOptions options;
  options.max_db_bytes = 4 << 20;  // SQLite refuses past it exactly as on a full disk
  auto store = OpenSqliteServerStore(path, options);
  REQUIRE(store.ok());
  DbWriter& writer = **store;
  REQUIRE(writer.Write([](SqlConn& db) { return db.Exec("CREATE TABLE filler (b BLOB)"); }).ok());
  Status full = Status::Ok();
  int written = 0;
  for (; written < 100 && full.ok(); ++written)
    full = writer.Write([](SqlConn& db) {
      return db.Exec(
          "INSERT INTO filler VALUES (randomblob(100000)); "
          "INSERT INTO filler VALUES (randomblob(100000))");
    });
  INFO(full.ToString());
  CHECK(full.code() == StatusCode::kUnavailable);
  CHECK_THAT(full.message(), Catch::Contains("storage is full"));
  CHECK_THAT(full.message(), Catch::Contains("hết dung lượng"));
  // The refused write left nothing: whole pairs only.
  CHECK(Count(path, "SELECT count(*) FROM filler") == 2 * (written - 1));
}
