// What the store reports of itself for `GET /metrics` (docs/monitoring.md, "Watching the
// server"), read at scrape time: its size on disk, open conflicts and overdue cases.
// Cheap by design: two counts over indexed or small tables and the engine's own size
// figure, on a pooled read connection, never the writer.
//
// Thread safety: as the store.
#pragma once

#include <cstdint>

#include "protocol/result.h"

namespace q11::server {

struct StoreFigures {
  // The database's size in bytes: SQLite's pages (page_count × page_size), PostgreSQL's
  // pg_database_size of the current database.
  int64_t database_bytes = 0;
  // SQLite's write-ahead log file (DB-wal) in bytes; -1 where the engine has none of its
  // own (PostgreSQL's WAL belongs to the whole cluster: watch it with PostgreSQL's tools).
  int64_t wal_bytes = -1;
  int64_t open_conflicts = 0;  // parked, not yet resolved
  // Open cases (new, accepted, assigned, in_progress, reopened) whose current deadline
  // (expected_at when announced, else due_at) is before `now`.
  int64_t overdue_cases = 0;
};

class StoreFigureReads {
 public:
  virtual ~StoreFigureReads() = default;
  // `now_ms`: the server's clock, Unix milliseconds. kUnavailable/kInternal on a database
  // error.
  virtual Result<StoreFigures> ReadStoreFigures(int64_t now_ms) = 0;
};

}  // namespace q11::server
