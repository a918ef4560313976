// Opening the embedded store: one SQLite database file in WAL mode (the default engine).
#pragma once

#include <memory>
#include <string>

#include "protocol/result.h"
#include "store/server_store.h"

namespace q11::server {

// As OpenSqliteStore (syncserver/store.h), keeping the writer and the narrow interfaces in
// reach.
Result<std::unique_ptr<ServerStore>> OpenSqliteServerStore(const std::string& path,
                                                           StoreOptions options = {});

}  // namespace q11::server
