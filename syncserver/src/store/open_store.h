// Opening the store the server or a command works on: PostgreSQL when a database URL is
// given (--database=postgresql://USER@HOST:PORT/DB), else the embedded SQLite file
// DATA/syncserver.db. The data folder keeps the keys and photo files either way; servers
// on one PostgreSQL database share it (docs/postgres.md).
#pragma once

#include <memory>
#include <string>

#include "protocol/result.h"
#include "store/data_dir.h"
#include "store/server_store.h"

namespace q11::server {

// kUnimplemented for a URL when this build has no PostgreSQL support (libpq-dev missing).
Result<std::unique_ptr<ServerStore>> OpenServerStore(const DataPaths& paths,
                                                     const std::string& database_url,
                                                     StoreOptions options = {});

// True when this build can open PostgreSQL databases.
bool HasPostgresSupport();

}  // namespace q11::server
