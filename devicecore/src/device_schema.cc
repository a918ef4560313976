#include "device_schema.h"

#include <array>
#include <string_view>

#include "photo_folder.h"
#include "protocol/ids.h"
#include "protocol/schema.h"
#include "q11sqlite/synced_schema.h"
#include "status_macros.h"
#include "touched_reports.h"

namespace q11::device {
namespace {

// Local tables: never attached to a session, so never pushed.
//  outbox: one row per captured local transaction. seq is AUTOINCREMENT so a seq is never
//    reused even after rows are deleted: the server's idempotency record keys on it.
//    `undo` is what the last replay really changed locally (NULL: the changeset itself,
//    as written; an empty blob: nothing).
//  settled_changes: entries the server rejected or parked, or merged with a message, kept
//    for the user to see. A merged entry is also still in the outbox until the pull passes it.
//  report_ids (both): the reports the change touches, '\n'-joined (touched_reports.h).
//  schema_version: the synced schema version the entry was captured under
//    (protocol/schema_versions.h); the server takes older ones and fills in what they lack.
constexpr std::string_view kLocalTablesSql = R"sql(
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  changeset BLOB NOT NULL,
  undo BLOB,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked')),
  server_seq INTEGER,
  created_at TEXT NOT NULL,
  report_ids TEXT,
  schema_version INTEGER NOT NULL DEFAULT 2
);
CREATE TABLE IF NOT EXISTS settled_changes (
  seq INTEGER PRIMARY KEY,
  changeset BLOB NOT NULL,
  verdict TEXT NOT NULL,
  message TEXT NOT NULL,
  settled_at TEXT NOT NULL,
  report_ids TEXT
);
CREATE TABLE IF NOT EXISTS device_meta (
  key TEXT PRIMARY KEY NOT NULL,
  value TEXT
);
)sql";

Result<int64_t> PragmaInt(sql::Db& db, const char* pragma) {
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, db.QueryText(std::string("PRAGMA ") + pragma));
  return v ? static_cast<int64_t>(std::stoll(*v)) : 0;
}

Status CreateSchema(sql::Db& db, Env& env) {
  Q11_RETURN_IF_ERROR(sql::PrepareSyncedTables(db));
  Q11_RETURN_IF_ERROR(db.Exec(kLocalTablesSql));
  Q11_ASSIGN_OR_RETURN(sql::Statement meta,
                       db.Prepare("INSERT OR REPLACE INTO device_meta(key, value) VALUES (?, ?)"));
  Q11_RETURN_IF_ERROR(meta.Bind(1, "device_id").Bind(2, NewId(env)).Run());
  Q11_RETURN_IF_ERROR(meta.Bind(1, "cursor").Bind(2, "0").Run());
  Q11_RETURN_IF_ERROR(meta.Bind(1, "created_at").Bind(2, FormatUtc(env.NowMs())).Run());
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA application_id = " + std::to_string(kDeviceApplicationId)));
  return db.Exec("PRAGMA user_version = " + std::to_string(kDeviceSchemaVersion));
}

// Version 2 records which reports each outbox entry and settled change touches. Existing
// rows get theirs from their changesets here, once.
Status MigrateTo2(sql::Db& db) {
  Q11_RETURN_IF_ERROR(
      db.Exec("ALTER TABLE outbox ADD COLUMN report_ids TEXT;"
              "ALTER TABLE settled_changes ADD COLUMN report_ids TEXT;"));
  Q11_ASSIGN_OR_RETURN(sql::Statement owner_of,
                       db.Prepare("SELECT report_id FROM case_events WHERE id = ?"));
  EventOwner owner = [&owner_of](const std::string& event_id) -> Result<std::string> {
    owner_of.Bind(1, event_id);
    Q11_ASSIGN_OR_RETURN(bool row, owner_of.Step());
    std::string report = row ? owner_of.Text(0) : std::string();
    owner_of.Reset();
    return report;
  };
  for (const char* table : {"outbox", "settled_changes"}) {
    // Read all first: no rows are updated under an open scan of the same table.
    std::vector<std::pair<int64_t, std::string>> found;
    {
      Q11_ASSIGN_OR_RETURN(sql::Statement rows,
                           db.Prepare(std::string("SELECT seq, changeset FROM ") + table));
      for (;;) {
        Q11_ASSIGN_OR_RETURN(bool row, rows.Step());
        if (!row) break;
        // A changeset that cannot be read touches no report we can name: left NULL.
        Result<std::vector<std::string>> ids = TouchedReports(rows.Blob(1), owner);
        if (ids.ok()) found.emplace_back(rows.Int(0), JoinReportIds(*ids));
      }
    }
    Q11_ASSIGN_OR_RETURN(sql::Statement set, db.Prepare(std::string("UPDATE ") + table +
                                                        " SET report_ids = ? WHERE seq = ?"));
    for (const auto& [seq, ids] : found) Q11_RETURN_IF_ERROR(set.Bind(1, ids).Bind(2, seq).Run());
  }
  return Status::Ok();
}

}  // namespace

const std::vector<std::string>& SyncedTableNames() {
  static const std::vector<std::string>* names = [] {
    auto* v = new std::vector<std::string>;
    for (std::string_view t : q11::schema::kSyncedTables) v->emplace_back(t);
    return v;
  }();
  return *names;
}

std::string NewId(Env& env) {
  std::array<uint8_t, 10> random{};
  env.RandomBytes(random.data(), random.size());
  return MakeUuid7(env.NowMs(), random);
}

Status PrepareDeviceDatabase(sql::Db& db, Env& env) {
  // WAL: readers (the UI) never block the sync writer. FULL: a committed write survives a
  // power cut, which is the whole promise of the outbox. Reading the journal mode also
  // makes SQLite read the file header, so "not a database" shows up here.
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> mode, db.QueryText("PRAGMA journal_mode=WAL"));
  if (!mode || (*mode != "wal" && *mode != "memory"))
    return Unavailable("cannot switch the database to WAL mode");
  Q11_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL"));

  Q11_ASSIGN_OR_RETURN(int64_t version, PragmaInt(db, "user_version"));
  // The photo tables are created where missing on every open, not by a version step: they
  // are new tables only (no change to existing ones), and IF NOT EXISTS on an existing
  // table writes nothing.
  if (version == kDeviceSchemaVersion) return EnsurePhotoTables(db);  // the common case

  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db));
  // Read again under the write lock: another process may have created it meanwhile.
  Q11_ASSIGN_OR_RETURN(version, PragmaInt(db, "user_version"));
  Q11_ASSIGN_OR_RETURN(int64_t app_id, PragmaInt(db, "application_id"));
  if (version > kDeviceSchemaVersion)
    return FailedPrecondition("the database was made by a newer version of q11 (schema " +
                              std::to_string(version) + ", this build knows " +
                              std::to_string(kDeviceSchemaVersion) + ")");
  if (version == 0) {
    Q11_ASSIGN_OR_RETURN(std::optional<std::string> tables,
                         db.QueryText("SELECT count(*) FROM sqlite_master"));
    bool empty = !tables || *tables == "0";
    if (!empty || (app_id != 0 && app_id != kDeviceApplicationId))
      return DataLoss("not a Quận 11 device database (it has other tables)");
    Q11_RETURN_IF_ERROR(CreateSchema(db, env));
  } else if (app_id != kDeviceApplicationId) {
    return DataLoss("not a Quận 11 device database (application_id " + std::to_string(app_id) +
                    ")");
  } else {
    if (version < 2) Q11_RETURN_IF_ERROR(MigrateTo2(db));
    // Version 3: the case life (docs/workflow.md): new columns at the end of reports,
    // case_events and categories, the holidays and response_templates reference tables.
    if (version < 3) Q11_RETURN_IF_ERROR(sql::PrepareSyncedTables(db));
    // Version 4: each outbox entry says which synced schema version it was captured under.
    // Entries queued before the case life (device version 1 or 2) have the shape of synced
    // version 1 and go to the server as such (docs/protocol.md, "Schema versions").
    if (version < 4) {
      Q11_ASSIGN_OR_RETURN(
          std::optional<std::string> has,
          db.QueryText("SELECT count(*) FROM pragma_table_info('outbox') WHERE name = "
                       "'schema_version'"));
      if (has.value_or("0") == "0")
        Q11_RETURN_IF_ERROR(
            db.Exec("ALTER TABLE outbox ADD COLUMN schema_version INTEGER NOT NULL DEFAULT " +
                    std::string(version < 3 ? "1" : "2")));
    }
    Q11_RETURN_IF_ERROR(db.Exec("PRAGMA user_version = " + std::to_string(kDeviceSchemaVersion)));
  }
  Q11_RETURN_IF_ERROR(EnsurePhotoTables(db));
  return tx.Commit();
}

}  // namespace q11::device
