// Schema migrations for PostgreSQL: a versioned list, each applied once, safe when several
// servers start at the same time (docs/postgres.md).
//
// Migrate() takes a transaction-scoped advisory lock (pg_advisory_xact_lock on one fixed
// key), so concurrent migrators queue behind each other; the one that comes first applies
// what is missing and records each version in schema_migrations, the others then find
// nothing left to do. Everything pending runs in that one transaction (DDL is transactional
// in PostgreSQL): a failing migration leaves the schema exactly as it was. The lock is
// released by COMMIT or ROLLBACK, also when the process dies (the server ends the session).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "store/postgres/connection.h"

namespace q11::pg {

struct Migration {
  int version;            // > 0, strictly increasing along the list
  std::string_view name;  // recorded beside the version, for people
  std::string_view sql;   // one or more statements
};

// The advisory lock key Migrate() holds (any other singleton job picks another key).
inline constexpr int64_t kMigrationLockKey = 0x5131314d49475241;  // "Q11MIGRA"

struct MigrateOutcome {
  int applied = 0;  // migrations this call applied
  int version = 0;  // the schema's version afterwards (highest recorded)
};

// Applies the migrations of `list` that the database has not recorded yet, in order.
// kInvalidArgument when the list is not strictly increasing; a migration's SQL error is
// returned with its version and name, and nothing of this call stays applied. A database
// already at a newer version than the list knows (a newer server ran) is left as is.
// REQUIRES: conn is not inside a transaction.
Result<MigrateOutcome> Migrate(Connection& conn, const std::vector<Migration>& list);

}  // namespace q11::pg
