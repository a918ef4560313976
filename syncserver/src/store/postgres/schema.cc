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
      {3, "the server's epoch, replaced on restore (docs/backup.md)", R"sql(
CREATE TABLE server_epoch (
  id integer PRIMARY KEY CHECK (id = 1),
  epoch text NOT NULL
);
INSERT INTO server_epoch (id, epoch) VALUES (1, replace(gen_random_uuid()::text, '-', ''));
UPDATE meta SET value = 8 WHERE key = 'schema_version' AND value < 8;
)sql"},
  };
  return kList;
}

}  // namespace q11::pg
