// The SQLite store as the server process and the commands open it: the Store
// (include/syncserver/store.h), the narrow storage interfaces of store/ it implements
// (ApiKeyStore, ContactStore, Open311Reads), and, typed, its single writer (db_writer.h), which the
// code beside the Store that writes the same database uses (refresh tokens, the security audit,
// contacts, retention). Handing these over by type replaces asking a Store whether it is the SQLite
// one, and opening the database file a second time.
//
// Thread safety: as Store and DbWriter.
#pragma once

#include <memory>
#include <string>

#include "protocol/result.h"
#include "store/api_key_store.h"
#include "store/contact_store.h"
#include "store/open311_reads.h"
#include "store/sqlite/db_writer.h"
#include "syncserver/store.h"

namespace q11::server {

class SqliteServerStore : public Store,
                          public ApiKeyStore,
                          public ContactStore,
                          public Open311Reads,
                          public DbWriter {};

// As OpenSqliteStore (syncserver/store.h), keeping the writer in reach.
Result<std::unique_ptr<SqliteServerStore>> OpenSqliteServerStore(const std::string& path,
                                                                 StoreOptions options = {});

}  // namespace q11::server
