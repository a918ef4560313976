#include "store/sqlite/server_schema.h"

#include <chrono>
#include <thread>

#include "protocol/schema.h"
#include "q11sqlite/synced_schema.h"

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
-- One parked conflict per row of a pushed entry (docs/conflicts.md); its columns below.
CREATE TABLE IF NOT EXISTS conflicts (
  id TEXT PRIMARY KEY NOT NULL,
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  op TEXT NOT NULL,                 -- update | delete | update_deleted
  unit TEXT NOT NULL DEFAULT '',    -- the report's ward (for the console's filter)
  assigned_unit TEXT NOT NULL DEFAULT '',
  user_id TEXT NOT NULL,
  user_name TEXT NOT NULL DEFAULT '',
  device_id TEXT NOT NULL,
  local_seq INTEGER NOT NULL DEFAULT 0,
  row_seq INTEGER NOT NULL DEFAULT 0, -- the row's change-log seq when parked
  created_at TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'open', -- open | resolved
  resolved_at TEXT,
  resolved_by TEXT,
  decision TEXT                      -- server | device | set
);
CREATE INDEX IF NOT EXISTS conflicts_by_state ON conflicts(state, created_at);
CREATE TABLE IF NOT EXISTS conflict_columns (
  conflict_id TEXT NOT NULL,
  position INTEGER NOT NULL,        -- column position in the table
  col TEXT NOT NULL,
  base_value,
  device_value,
  server_value,
  resolved_value,                   -- what the admin decided (when resolved)
  PRIMARY KEY (conflict_id, position)
) WITHOUT ROWID;
-- Every parking, resolution and deletion: who, when, what (details is JSON).
CREATE TABLE IF NOT EXISTS audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  details TEXT NOT NULL DEFAULT '{}',
  content_hash TEXT,                -- the hash chain (audit/audit_chain.h); NULL before it
  chain_hash TEXT,
  pruned INTEGER NOT NULL DEFAULT 0 -- 1: content erased by retention, hashes kept
);
CREATE INDEX IF NOT EXISTS audit_by_subject ON audit_log(subject, id);
-- The last values of every deleted synced row, so an admin can restore it.
CREATE TABLE IF NOT EXISTS deleted_rows (
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  deleted_at TEXT NOT NULL,
  deleted_by TEXT NOT NULL,
  row_json TEXT NOT NULL,
  PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS row_log (
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  seq INTEGER NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,
  echo_device TEXT,                  -- this version is that device's own write (not pulled back)
  echo_base BLOB,                    -- ...except these columns, stamped by the server (echo_base.h)
  digest_hi INTEGER,                 -- the digest of the version counted in scope_sums...
  digest_lo INTEGER,
  digest_audiences TEXT,             -- ...under these audiences ('\n' between); NULL: none
  PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS row_audience (
  audience TEXT NOT NULL,
  seq INTEGER NOT NULL,
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  gone INTEGER NOT NULL DEFAULT 0,   -- 1: the audience no longer sees the row (a removal)
  PRIMARY KEY (audience, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY NOT NULL,
  value
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('last_seq', 0), ('schema_version', 4);
-- Version 4: the case life's columns (added by PrepareSyncedTables) and unique receipts.
CREATE UNIQUE INDEX IF NOT EXISTS reports_by_receipt ON reports(receipt_code)
  WHERE receipt_code IS NOT NULL;
UPDATE meta SET value = 4 WHERE key = 'schema_version' AND value < 4;
-- Version 5: Open311 API keys (api_keys.h, docs/open311.md), only their SHA-256 is kept.
CREATE TABLE IF NOT EXISTS api_keys (
  name TEXT PRIMARY KEY NOT NULL,
  key_hash BLOB NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  revoked_at TEXT
) WITHOUT ROWID;
UPDATE meta SET value = 5 WHERE key = 'schema_version' AND value < 5;
-- Version 7: what the server knows of each case event beyond the synced row: when it
-- received it (leaders' figures use this, not the device's created_at), and why the event
-- is not true of the case when it went with a status, unit or date change that the merge
-- parked or that a rule overruled (public views leave such events out; row_merger.h).
-- Also version 7: failed attempts of entries that got the retry verdict (entry_retries.h).
CREATE TABLE IF NOT EXISTS entry_retries (
  device_id TEXT NOT NULL,
  local_seq INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL,
  last_at TEXT NOT NULL,
  PRIMARY KEY (device_id, local_seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS event_log (
  event_id TEXT PRIMARY KEY NOT NULL,
  received_at TEXT NOT NULL,
  overruled TEXT
) WITHOUT ROWID;
-- Units that ended (units merge|retire, docs/units.md): their successor, which the push
-- follows for devices that still send the old id; units.kind is 'retired'.
CREATE TABLE IF NOT EXISTS retired_units (
  unit_id TEXT PRIMARY KEY NOT NULL,
  successor_id TEXT,
  prior_kind TEXT NOT NULL,
  retired_at TEXT NOT NULL
);
-- Cases a merge moved, with their units before (monitoring by the unit of the time).
CREATE TABLE IF NOT EXISTS unit_moves (
  report_id TEXT NOT NULL,
  moved_at TEXT NOT NULL,
  ward_before TEXT NOT NULL,
  unit_before TEXT,
  PRIMARY KEY (report_id, moved_at)
);
-- Version 9: the server's epoch (docs/backup.md): 128 random bits made with the database
-- and replaced by `syncserver restore`. Every sync answer carries it; a device that sees
-- another one re-pulls from zero and pushes again what the server lacks.
CREATE TABLE IF NOT EXISTS server_epoch (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  epoch TEXT NOT NULL
);
INSERT OR IGNORE INTO server_epoch (id, epoch) VALUES (1, lower(hex(randomblob(16))));
-- Version 10: per-audience checksums of the rows devices hold (sync/changelog/scope_sums.h),
-- kept in the push transaction; with row_log's digest columns (added below). The store
-- computes them from the rows once, when meta has no 'scope_sums' key (an upgrade).
CREATE TABLE IF NOT EXISTS scope_sums (
  audience TEXT PRIMARY KEY NOT NULL,
  row_count INTEGER NOT NULL,
  sum_hi INTEGER NOT NULL,          -- the digest sums' bit patterns, as signed 64-bit
  sum_lo INTEGER NOT NULL
) WITHOUT ROWID;
-- Rows of the published reference tables the change log never saw: the built-in ones the
-- server and every device start with. Counted under 'ref' with these digests until a
-- change logs them (scope_sums.h).
CREATE TABLE IF NOT EXISTS unlogged_ref (
  tbl TEXT NOT NULL,
  pk TEXT NOT NULL,
  digest_hi INTEGER NOT NULL,
  digest_lo INTEGER NOT NULL,
  PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
)sql";

// Version 1 kept one conflict row per column (tbl, pk, col, base/device/server_value,
// resolved_at). Rename it out of the way before the new tables are made, then copy each
// old row over as a one-column conflict, so nothing parked is lost.
constexpr const char* kRenameV1Conflicts =
    "ALTER TABLE conflicts RENAME TO conflicts_v1; DROP INDEX IF EXISTS conflicts_open";
constexpr const char* kCopyV1Conflicts = R"sql(
INSERT INTO conflicts (id, tbl, pk, op, user_id, device_id, created_at, state, resolved_at)
  SELECT id, tbl, pk, 'update', user_id, device_id, created_at,
         CASE WHEN resolved_at IS NULL THEN 'open' ELSE 'resolved' END, resolved_at
  FROM conflicts_v1;
INSERT INTO conflict_columns (conflict_id, position, col, base_value, device_value, server_value)
  SELECT id, 0, col, base_value, device_value, server_value FROM conflicts_v1;
DROP TABLE conflicts_v1;
UPDATE meta SET value = 5 WHERE key = 'schema_version';
)sql";

// Version 2 deleted a row's older audience entries on every change, through an index on
// seq; version 3 keeps them (pulls skip superseded ones), marks removals with "gone", and
// notes in row_log which device's own write a row's version is (echo suppression).
constexpr const char* kUpgradeV2RowAudience = R"sql(
ALTER TABLE row_audience ADD COLUMN gone INTEGER NOT NULL DEFAULT 0;
ALTER TABLE row_log ADD COLUMN echo_device TEXT;
DROP INDEX IF EXISTS row_audience_by_seq;
UPDATE meta SET value = 3 WHERE key = 'schema_version';
)sql";

// True when the database has row_audience without its "gone" column (version 2).
Result<bool> IsV2RowAudience(sql::Db& db) {
  Result<std::optional<std::string>> n = db.QueryText(
      "SELECT (SELECT count(*) FROM pragma_table_info('row_audience')) > 0 AND "
      "(SELECT count(*) FROM pragma_table_info('row_audience') WHERE name = 'gone') = 0");
  if (!n.ok()) return n.status();
  return n->value_or("0") != "0";
}

// True when row_log lacks version 6's echo_base column.
Result<bool> LacksEchoBase(sql::Db& db) {
  Result<std::optional<std::string>> n =
      db.QueryText("SELECT count(*) FROM pragma_table_info('row_log') WHERE name = 'echo_base'");
  if (!n.ok()) return n.status();
  return n->value_or("0") == "0";
}

// True when audit_log lacks version 8's hash chain.
Result<bool> LacksAuditChain(sql::Db& db) {
  Result<std::optional<std::string>> n =
      db.QueryText("SELECT count(*) FROM pragma_table_info('audit_log') WHERE name = 'chain_hash'");
  if (!n.ok()) return n.status();
  return n->value_or("0") == "0";
}

// True when row_log lacks version 10's digest columns.
Result<bool> LacksRowDigests(sql::Db& db) {
  Result<std::optional<std::string>> n =
      db.QueryText("SELECT count(*) FROM pragma_table_info('row_log') WHERE name = 'digest_hi'");
  if (!n.ok()) return n.status();
  return n->value_or("0") == "0";
}

// True when the database has the version-1 conflicts table (a "col" column).
Result<bool> HasV1Conflicts(sql::Db& db) {
  Result<std::optional<std::string>> n =
      db.QueryText("SELECT count(*) FROM pragma_table_info('conflicts') WHERE name = 'col'");
  if (!n.ok()) return n.status();
  return n->value_or("0") != "0";
}

// WAL lets pulls read while a push writes. Switching a new file to WAL needs its write
// lock; when two processes (say two `user add` on a fresh data folder) switch at once,
// each holds the read lock the other waits for, and SQLite answers SQLITE_BUSY at once
// instead of calling the busy handler. One of them always wins, so the loser retries.
Status SwitchToWal(sql::Db& db) {
  for (int attempt = 0;; ++attempt) {
    // journal_mode answers with a row; Exec ignores it.
    Status s = db.Exec("PRAGMA journal_mode=WAL");
    if (s.ok() || sqlite3_errcode(db.get()) != SQLITE_BUSY || attempt == 200) return s;
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + attempt % 7));
  }
}

}  // namespace

Status PrepareServerDatabase(sql::Db& db) {
  // synchronous=FULL makes every acknowledged push survive a power cut.
  Q11_RETURN_IF_ERROR(SwitchToWal(db));
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA foreign_keys=OFF"));
  // Statement journals (a multi-row UPDATE or DELETE copies each page it first touches)
  // and temporary sort trees would be temp files by default, a write() per page: keep
  // them in memory. Push entries have no savepoint of their own (push_applier.h), so no
  // sub-journal grows with a request. The page cache is big enough that a large push
  // rarely spills mid-transaction.
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA temp_store=MEMORY"));
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size=-8192"));
  // After a burst (a district's morning upload) the log file would keep its peak size for
  // good: SQLite reuses it from the start once checkpointed, but never shrinks it. With a
  // size limit, the writer truncates it to the limit when it starts the log over, without
  // ever blocking on a TRUNCATE checkpoint.
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA journal_size_limit=" + std::to_string(kWalSizeLimitBytes)));
  Result<sql::Transaction> txn = sql::Transaction::Begin(db);
  if (!txn.ok()) return txn.status();
  Q11_RETURN_IF_ERROR(sql::PrepareSyncedTables(db));
  Result<bool> v1 = HasV1Conflicts(db);
  if (!v1.ok()) return v1.status();
  Result<bool> v2 = IsV2RowAudience(db);
  if (!v2.ok()) return v2.status();
  if (*v2) Q11_RETURN_IF_ERROR(db.Exec(kUpgradeV2RowAudience));
  if (*v1) Q11_RETURN_IF_ERROR(db.Exec(kRenameV1Conflicts));
  Q11_RETURN_IF_ERROR(db.Exec(kServerTablesSql));
  if (*v1) Q11_RETURN_IF_ERROR(db.Exec(kCopyV1Conflicts));
  // Version 6: row_log.echo_base (a device's own insert pulls back only what was stamped).
  Result<bool> v5 = LacksEchoBase(db);
  if (!v5.ok()) return v5.status();
  if (*v5) Q11_RETURN_IF_ERROR(db.Exec("ALTER TABLE row_log ADD COLUMN echo_base BLOB"));
  // Version 8: the audit trail's hash chain; older records stay unhashed before it.
  Result<bool> v7 = LacksAuditChain(db);
  if (!v7.ok()) return v7.status();
  if (*v7)
    Q11_RETURN_IF_ERROR(
        db.Exec("ALTER TABLE audit_log ADD COLUMN content_hash TEXT;"
                "ALTER TABLE audit_log ADD COLUMN chain_hash TEXT;"
                "ALTER TABLE audit_log ADD COLUMN pruned INTEGER NOT NULL DEFAULT 0"));
  // Version 9: the server's epoch (server_epoch, made by kServerTablesSql above).
  // Version 10: scope checksums (scope_sums, made above) and each row's counted digest.
  Result<bool> v9 = LacksRowDigests(db);
  if (!v9.ok()) return v9.status();
  if (*v9)
    Q11_RETURN_IF_ERROR(
        db.Exec("ALTER TABLE row_log ADD COLUMN digest_hi INTEGER;"
                "ALTER TABLE row_log ADD COLUMN digest_lo INTEGER;"
                "ALTER TABLE row_log ADD COLUMN digest_audiences TEXT"));
  Q11_RETURN_IF_ERROR(
      db.Exec("UPDATE meta SET value = 10 WHERE key = 'schema_version' AND value < 10"));
  return txn->Commit();
}

Status ConfigureReadConnection(sql::Db& db) {
  // The default 2 MB page cache per connection: there is one per concurrent reader, and
  // the OS page cache holds the file anyway.
  return db.Exec("PRAGMA foreign_keys=OFF");
}

}  // namespace q11::server
