// The embedded engine's part of the store: the file, its pragmas and schema, the size cap,
// the WAL checkpointer, the shapes read from the live tables. The rest is sql_store.cc.
#include "store/sqlite/sqlite_store.h"

#include <algorithm>

#include "store/sql/contact_rows.h"
#include "store/sql/sql_store.h"
#include "store/sqlite/server_schema.h"
#include "store/sqlite/sqlite_conn.h"
#include "store/sqlite/wal_checkpointer.h"

namespace q11::server {

Result<std::unique_ptr<ServerStore>> OpenSqliteServerStore(const std::string& path,
                                                           StoreOptions options) {
  Result<SqliteConn> db = OpenSqliteConn(path, /*create=*/true);
  if (!db.ok()) return db.status();
  auto writer = std::make_unique<SqliteConn>(std::move(*db));
  Q11_RETURN_IF_ERROR(PrepareServerDatabase(writer->db()));
  Q11_RETURN_IF_ERROR(CreateContactsTable(*writer));
  if (options.max_db_bytes > 0) {
    // Per connection, and only this one writes synced data. SQLite answers SQLITE_FULL
    // past it, exactly as for a full disk, so both take the same path.
    Result<std::optional<std::string>> page = writer->QueryText("PRAGMA page_size");
    if (!page.ok()) return page.status();
    int64_t pages =
        options.max_db_bytes / std::max<int64_t>(512, std::stoll(page->value_or("4096")));
    Q11_RETURN_IF_ERROR(writer->Exec("PRAGMA max_page_count = " + std::to_string(pages)));
  }
  Result<std::unique_ptr<WalCheckpointer>> checkpointer =
      WalCheckpointer::Start(path, writer->db());
  if (!checkpointer.ok()) return checkpointer.status();
  Result<TableShapes> shapes = TableShapes::Load(writer->db());
  if (!shapes.ok()) return shapes.status();
  SqlStoreParts parts;
  parts.writer = std::move(writer);
  parts.shapes = std::move(*shapes);
  parts.wal_file = path + "-wal";
  parts.upkeep = std::shared_ptr<WalCheckpointer>(std::move(*checkpointer));
  parts.open_reader = [path]() -> Result<std::unique_ptr<SqlConn>> {
    Result<SqliteConn> reader = OpenSqliteConn(path, /*create=*/false);
    if (!reader.ok()) return reader.status();
    Q11_RETURN_IF_ERROR(ConfigureReadConnection(reader->db()));
    return std::unique_ptr<SqlConn>(std::make_unique<SqliteConn>(std::move(*reader)));
  };
  return OpenSqlStore(std::move(parts), std::move(options));
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const std::string& path, StoreOptions options) {
  Result<std::unique_ptr<ServerStore>> store = OpenSqliteServerStore(path, std::move(options));
  if (!store.ok()) return store.status();
  return std::unique_ptr<Store>(std::move(*store));
}

}  // namespace q11::server
