// Opening the store on PostgreSQL (docs/postgres.md): several stateless syncservers on one
// database. The tables are made or brought up to date by the migrations (schema.h) under
// an advisory lock; the store itself is store/sql/sql_store.h over PgConn (pg_conn.h), so
// validation, merge, change log and pull are the code the SQLite store runs.
//
// Live updates across servers: every write that changed rows sends a NOTIFY with its
// COMMIT (pg_conn.h); each server keeps one connection LISTENing and calls
// StoreOptions::on_commit for each, so a push through one server wakes the long polls
// waiting on every other.
#pragma once

#include <memory>
#include <string_view>

#include "protocol/result.h"
#include "store/server_store.h"

namespace q11::server {

// `url`: postgresql://USER[:PASSWORD]@HOST[:PORT]/DB. kInvalidArgument for a bad URL,
// kUnavailable when the server cannot be reached.
Result<std::unique_ptr<ServerStore>> OpenPostgresServerStore(std::string_view url,
                                                             StoreOptions options = {});

}  // namespace q11::server
