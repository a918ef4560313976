// The server store's tables on PostgreSQL: what store/sqlite/server_schema.cc makes on
// SQLite, as version 2 of the migration list (schema.h), applied under the migration lock
// by whichever server starts first.
//
// The synced tables and Quận 11's reference data come from the same files as on SQLite and
// on devices (protocol/schema/), translated: INTEGER → bigint, REAL → double precision,
// BLOB → bytea, INSERT OR IGNORE → INSERT ... ON CONFLICT DO NOTHING. Columns SQLite leaves
// untyped (a parked conflict's values) are jsonb, which keeps a number a number (pg_conn.h).
#pragma once

#include <string>
#include <string_view>

namespace q11::pg {

// SQLite DDL and INSERTs as PostgreSQL accepts them (the translation above).
std::string TranslateSqliteSql(std::string_view sqlite_sql);

// Version 2's SQL: the synced tables, the reference data and the server's own tables.
const std::string& ServerStoreSql();

}  // namespace q11::pg
