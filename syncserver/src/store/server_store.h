// The store as the server process and the commands open it, whichever database is behind
// it: the Store (include/syncserver/store.h), the narrow storage interfaces beside it
// (ApiKeyStore, ContactStore, Open311Reads,
// StoreFigureReads) and, typed, its writer (db_writer.h), which the
// code beside the Store that writes the same database uses (refresh tokens, the security
// audit, contacts, retention). Handing these over by type replaces asking a Store which
// engine it is, and opening the database a second time.
//
// Opened by OpenSqliteServerStore (store/sqlite/sqlite_store.h) or OpenPostgresServerStore
// (store/postgres/pg_store.h); both are store/sql/sql_store.h over their connections.
//
// Thread safety: as Store and DbWriter.
#pragma once

#include "store/api_key_store.h"
#include "store/contact_store.h"
#include "store/db_writer.h"
#include "store/open311_reads.h"
#include "store/store_figures.h"
#include "syncserver/store.h"

namespace q11::server {

class ServerStore : public Store,
                    public ApiKeyStore,
                    public ContactStore,
                    public Open311Reads,
                    public StoreFigureReads,
                    public DbWriter {};

}  // namespace q11::server
