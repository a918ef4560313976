#include "store/postgres/schema.h"

#include "store/postgres/pg_schema.h"

namespace q11::pg {

const std::vector<Migration>& ServerSchema() {
  static const std::vector<Migration> kList = {
      // Version 1's tables (a change log numbered by a counter row locked at the end of
      // each writing transaction) are unused since version 2: the store numbers changes
      // under its write lock instead (pg_conn.h). Kept, as a migration that has run.
      {1, "change log and its counter (change_log.h)", R"sql(
-- The one-row counter: the last change-log sequence handed out. Its row lock, taken by the
-- last statement of each writing transaction, orders commits (change_log.h).
CREATE TABLE sync_head (
  id boolean PRIMARY KEY DEFAULT true CHECK (id),
  seq bigint NOT NULL
);
INSERT INTO sync_head (id, seq) VALUES (true, 0);
-- One entry per logged row change, by sequence (gapless: a rolled-back transaction takes
-- its sequences back with the counter).
CREATE TABLE change_log (
  seq bigint PRIMARY KEY,
  tbl text NOT NULL,
  pk text NOT NULL,
  deleted boolean NOT NULL DEFAULT false
);
-- Who may see each entry: a pull reads its own audiences' entries in sequence order.
CREATE TABLE change_audience (
  audience text NOT NULL,
  seq bigint NOT NULL REFERENCES change_log (seq) ON DELETE CASCADE,
  PRIMARY KEY (audience, seq)
);
CREATE INDEX change_audience_by_seq ON change_audience (seq);
)sql"},
      {2, "the server store: synced tables, reference data, accounts, ledger, change log",
       ServerStoreSql()},
      {3, "retired units and their successors (docs/units.md)", R"sql(
CREATE TABLE retired_units (
  unit_id text PRIMARY KEY,
  successor_id text,
  prior_kind text NOT NULL,
  retired_at text NOT NULL
);
CREATE TABLE unit_moves (
  report_id text NOT NULL,
  moved_at text NOT NULL,
  ward_before text NOT NULL,
  unit_before text,
  PRIMARY KEY (report_id, moved_at)
);
)sql"},
      {4, "the audit trail's hash chain (audit/audit_chain.h); older records stay unhashed",
       R"sql(
ALTER TABLE audit_log ADD COLUMN content_hash text;
ALTER TABLE audit_log ADD COLUMN chain_hash text;
ALTER TABLE audit_log ADD COLUMN pruned integer NOT NULL DEFAULT 0;
UPDATE meta SET value = 8 WHERE key = 'schema_version';
)sql"},
      {5, "the server's epoch, replaced on restore (docs/backup.md)", R"sql(
CREATE TABLE server_epoch (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch text NOT NULL
);
INSERT INTO server_epoch (id, epoch) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
UPDATE meta SET value = 9 WHERE key = 'schema_version' AND value < 9;
)sql"},
      {6, "per-audience checksums of the rows devices hold (sync/changelog/scope_sums.h)",
       R"sql(
CREATE TABLE scope_sums (
  audience text PRIMARY KEY,
  row_count bigint NOT NULL,
  sum_hi bigint NOT NULL,
  sum_lo bigint NOT NULL
);
CREATE TABLE unlogged_ref (
  tbl text NOT NULL,
  pk text NOT NULL,
  digest_hi bigint NOT NULL,
  digest_lo bigint NOT NULL,
  PRIMARY KEY (tbl, pk)
);
ALTER TABLE row_log ADD COLUMN digest_hi bigint;
ALTER TABLE row_log ADD COLUMN digest_lo bigint;
ALTER TABLE row_log ADD COLUMN digest_audiences text;
UPDATE meta SET value = 10 WHERE key = 'schema_version' AND value < 10;
)sql"},
  };
  return kList;
}

}  // namespace q11::pg
