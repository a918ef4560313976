// Creates or upgrades the synced tables and loads the Quận 11 reference data, the same way
// on devices and on the server (protocol/schema/synced_tables.sql, samples/q11-2018/*.sql).
#pragma once

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::sql {

// Creates the synced tables that are missing, then adds to existing ones every column the
// DDL declares that they lack (new columns only ever come at the end of a table, so an
// ALTER TABLE ... ADD COLUMN gives the same column order as a fresh CREATE), then, when it
// created a table or added a column, runs the reference data (INSERT OR IGNORE, fill-in
// UPDATEs). Idempotent; an up-to-date database is left as it is. REQUIRES: inside a write
// transaction.
Status PrepareSyncedTables(Db& db);

}  // namespace q11::sql
