// What the seed corpus (make_corpus.cc) and the fuzz targets' scratch databases share: one
// report that the targets create at start-up, the SQL of rows as a phone or the server
// writes them, and capturing SQL as a changeset. So a seed's UPDATE, comment or tombstone
// meets a row that exists, and the fuzzer starts deep inside the merge and the rebase.
// Plain SQLite only: make_corpus links no device or server code.
#pragma once

#include <sqlite3.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "protocol/schema.h"

namespace q11::fuzz {

// The report every target's scratch database holds before the first input.
inline constexpr char kSeedReport[] = "0195f3a0-7c1e-7000-8000-00000000a001";
// A report no database holds (seeds insert it).
inline constexpr char kNewReport[] = "0195f3a0-7c1e-7000-8000-00000000a002";

inline void Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "fuzz: %s\n", err);
    std::exit(1);
  }
}

// The changeset of `sql` run on `db` under a fresh session on every table.
inline std::string Capture(sqlite3* db, const std::string& sql) {
  sqlite3_session* s = nullptr;
  sqlite3session_create(db, "main", &s);
  sqlite3session_attach(s, nullptr);
  Exec(db, sql);
  int n = 0;
  void* p = nullptr;
  sqlite3session_changeset(s, &n, &p);
  std::string out(static_cast<const char*>(p), static_cast<size_t>(n));
  sqlite3_free(p);
  sqlite3session_delete(s);
  return out;
}

// The changeset of `sql` on a fresh in-memory database with the synced schema, after
// `before` ran there uncaptured (the rows an UPDATE or DELETE finds).
inline std::string CaptureOnSyncedSchema(const std::string& before, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(":memory:", &db);
  Exec(db, std::string(schema::SyncedTablesSql()));
  Exec(db, before);
  std::string out = Capture(db, sql);
  sqlite3_close(db);
  return out;
}

// A citizen's new report as a phone writes it (the server stamps reporter, receipt, due).
inline std::string PhoneReportSql(const std::string& id) {
  return "INSERT INTO reports(id, kind, category_id, ward_id, title, description, lat, lon, "
         "status, created_at, updated_at) VALUES ('" +
         id +
         "', 'phan_anh', 'chieu-sang', 'p03', 'Đèn đường hỏng', 'Đường Lãnh Binh Thăng', "
         "10.7627, 106.6502, 'new', '2026-11-27T08:00:00.000Z', '2026-11-27T08:00:00.000Z');";
}

// A case event as a phone writes it.
inline std::string EventSql(const std::string& id, const std::string& report,
                            const std::string& kind, const std::string& status,
                            const std::string& note) {
  return "INSERT INTO case_events(id, report_id, kind, status, note, created_at) VALUES ('" + id +
         "', '" + report + "', '" + kind + "', " + (status.empty() ? "NULL" : "'" + status + "'") +
         ", '" + note + "', '2026-11-27T08:30:00.000Z');";
}

}  // namespace q11::fuzz
