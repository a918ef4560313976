// The server's store written once over SqlConn (sql_conn.h): accounts, device binding,
// push (group commit, validation, merge, change log), pull, conflicts, monitoring, public
// reads, Open311 reads, API keys and contacts. Each engine's opener prepares a write
// connection and says how to open readers; everything after that is shared.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "protocol/result.h"
#include "store/server_store.h"
#include "store/sql/reader_pool.h"
#include "store/sql/sql_conn.h"
#include "sync/table_shapes.h"

namespace q11::server {

struct SqlStoreParts {
  // The write connection, its schema up to date.
  std::unique_ptr<SqlConn> writer;
  // Opens a read connection (configured for reading) whenever the pool needs one more.
  ReaderPool::Opener open_reader;
  TableShapes shapes;
  // The engine's own helpers that use `writer` (SQLite's WAL checkpointer); destroyed
  // before it. May be empty.
  std::shared_ptr<void> upkeep;
  // The engine's own write-ahead log file, whose size /metrics reports (SQLite's DB-wal);
  // empty: none (PostgreSQL's belongs to the cluster).
  std::string wal_file;
};

Result<std::unique_ptr<ServerStore>> OpenSqlStore(SqlStoreParts parts, StoreOptions options);

}  // namespace q11::server
