#include "server_schema.h"

#include "protocol/schema.h"

namespace q11::server {
namespace {

constexpr const char* kServerTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL UNIQUE,
  pw_hash BLOB NOT NULL,
  salt BLOB NOT NULL,
  iterations INTEGER NOT NULL,
  role TEXT NOT NULL,
  unit_id TEXT,
  reporter_ref TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS devices (
  device_id TEXT PRIMARY KEY NOT NULL,
  user_id TEXT NOT NULL,
  first_seen TEXT NOT NULL,
  last_seen TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS applied_batches (
  device_id TEXT NOT NULL,
  local_seq INTEGER NOT NULL,
  verdict INTEGER NOT NULL,
  server_seq INTEGER NOT NULL,
  message TEXT NOT NULL,
  user_id TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (device_id, local_seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS conflicts (
  id TEXT PRIMARY KEY NOT NULL,
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  col TEXT NOT NULL,
  base_value,
  device_value,
  server_value,
  user_id TEXT NOT NULL,
  device_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  resolved_at TEXT
);
CREATE INDEX IF NOT EXISTS conflicts_open ON conflicts(resolved_at, created_at);
CREATE TABLE IF NOT EXISTS row_log (
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS row_audience (
  audience TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  PRIMARY KEY (audience, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS row_audience_by_seq ON row_audience(seq);
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('schema_version', 1);
)sql";

}  // namespace

Status PrepareServerDatabase(sql::Db& db) {
  // journal_mode answers with a row; Exec ignores it. WAL lets pulls read while a push
  // writes; synchronous=FULL makes every acknowledged push survive a power cut.
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL"));
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=OFF"));
  // Every pushed entry runs in a savepoint, and SQLite copies each page an open savepoint
  // first touches into a sub-journal: a temp file by default, i.e. a write() per page.
  // Keep it in memory (it is bounded by one request's changes), with a page cache big
  // enough that a request never spills mid-transaction.
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-8192"));
  Result<sql::Transaction> txn = sql::Transaction::Begin(db);
  if (!txn.ok()) return txn.status();
  Q11_RETURN_IF_ERROR(db.Exec(schema::SyncedTablesSql()));
  Q11_RETURN_IF_ERROR(db.Exec(schema::ReferenceDataSql()));
  Q11_RETURN_IF_ERROR(db.Exec(kServerTablesSql));
  return txn->Commit();
}

Status ConfigureReadConnection(sql::Db& db) {
  // The default 2 MB page cache per connection: there is one per concurrent reader, and
  // the OS page cache holds the file anyway.
  return db.Exec("PRAGMA foreign_keys=OFF");
}

}  // namespace q11::server
