#include "store/postgres/migrations.h"

#include <set>
#include <string>

namespace q11::pg {

Result<MigrateOutcome> Migrate(Connection& conn, const std::vector<Migration>& list) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (list[i].version <= 0 || (i > 0 && list[i].version <= list[i - 1].version)) {
      return InvalidArgument("migration versions must be positive and strictly increasing (at " +
                             std::string(list[i].name) + ")");
    }
  }
  auto txn = Transaction::Begin(conn);
  if (!txn.ok()) return txn.status();
  // First the lock, then everything else: two migrators never both see "not applied".
  auto lock = conn.Query("SELECT pg_advisory_xact_lock($1)", {Param::Int8(kMigrationLockKey)});
  if (!lock.ok()) return lock.status();
  Q11_RETURN_IF_ERROR(
      conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version integer PRIMARY KEY,"
                " name text NOT NULL,"
                " applied_at timestamptz NOT NULL DEFAULT now())"));
  auto rows = conn.Query("SELECT version FROM schema_migrations");
  if (!rows.ok()) return rows.status();
  std::set<int64_t> done;
  for (int r = 0; r < rows->size(); ++r) {
    auto v = rows->Int8(r, 0);
    if (!v.ok()) return v.status();
    done.insert(*v);
  }
  MigrateOutcome out;
  for (const Migration& m : list) {
    if (done.count(m.version) != 0) continue;
    Status s = conn.Exec(m.sql);
    if (!s.ok()) {
      return Status(s.code(), "migration " + std::to_string(m.version) + " (" +
                                  std::string(m.name) + ") failed: " + s.message());
    }
    auto rec = conn.Query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                          {Param::Int4(m.version), Param::Text(m.name)});
    if (!rec.ok()) return rec.status();
    done.insert(m.version);
    ++out.applied;
  }
  out.version = done.empty() ? 0 : static_cast<int>(*done.rbegin());
  Q11_RETURN_IF_ERROR(txn->Commit());
  return out;
}

}  // namespace q11::pg
