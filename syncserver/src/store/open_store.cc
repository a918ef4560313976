#include "store/open_store.h"

#include "store/sqlite/sqlite_store.h"
#ifdef Q11_HAVE_POSTGRES
#include "store/postgres/pg_store.h"
#endif

namespace q11::server {

Result<std::unique_ptr<ServerStore>> OpenServerStore(const DataPaths& paths,
                                                     const std::string& database_url,
                                                     StoreOptions options) {
  if (database_url.empty()) return OpenSqliteServerStore(paths.database, std::move(options));
#ifdef Q11_HAVE_POSTGRES
  return OpenPostgresServerStore(database_url, std::move(options));
#else
  return FailedPrecondition(
      "this syncserver was built without PostgreSQL support (install libpq-dev and "
      "build again) / bản syncserver này không hỗ trợ PostgreSQL");
#endif
}

bool HasPostgresSupport() {
#ifdef Q11_HAVE_POSTGRES
  return true;
#else
  return false;
#endif
}

}  // namespace q11::server
