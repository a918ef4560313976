#include "store/postgres/pg_store.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "log/logger.h"
#include "protocol/schema.h"
#include "q11sqlite/sqlite.h"
#include "store/postgres/pg_conn.h"
#include "store/postgres/schema.h"
#include "store/sql/sql_store.h"

namespace q11::server {
namespace {

// The LISTEN side of live updates: a thread with a connection of its own that turns each
// notification into on_commit(). A lost connection is opened again (and on_commit called
// once, since notifications may have been missed meanwhile).
class ChangeListener {
 public:
  ChangeListener(std::string url, std::function<void()> on_commit)
      : url_(std::move(url)), on_commit_(std::move(on_commit)) {
    thread_ = std::thread([this] { Loop(); });
  }
  ~ChangeListener() {
    stop_ = true;
    thread_.join();
  }

 private:
  void Loop() {
    bool reconnected = false;
    while (!stop_) {
      Result<pg::Connection> conn = pg::Connection::Open(url_);
      Status listening = conn.ok() ? conn->Listen(kChangesChannel) : conn.status();
      if (!listening.ok()) {
        log::Warn("live updates from other servers paused: " + listening.ToString());
        for (int i = 0; i < 10 && !stop_; ++i)
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      if (reconnected) on_commit_();
      reconnected = true;
      while (!stop_) {
        Result<std::vector<pg::Notification>> got =
            conn->WaitForNotifications(std::chrono::milliseconds(200));
        if (!got.ok()) break;  // reconnect
        if (!got->empty()) on_commit_();
      }
    }
  }

  const std::string url_;
  const std::function<void()> on_commit_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

Result<std::unique_ptr<ServerStore>> OpenPostgresServerStore(std::string_view url,
                                                             StoreOptions options) {
  Result<std::unique_ptr<PgConn>> writer = PgConn::Open(url);
  if (!writer.ok()) return writer.status();
  Result<pg::MigrateOutcome> migrated = pg::Migrate((*writer)->connection(), pg::ServerSchema());
  if (!migrated.ok()) return migrated.status();
  // The synced tables' shapes as SQLite sees the same DDL: changesets are SQLite's format,
  // and the shape check compares with what a device's SQLite made.
  Result<sql::Db> scratch = sql::Db::Open(":memory:");
  if (!scratch.ok()) return scratch.status();
  Q11_RETURN_IF_ERROR(scratch->Exec(schema::SyncedTablesSql()));
  Result<TableShapes> shapes = TableShapes::Load(*scratch);
  if (!shapes.ok()) return shapes.status();
  SqlStoreParts parts;
  parts.writer = std::move(*writer);
  parts.shapes = std::move(*shapes);
  const std::string owned_url(url);
  parts.open_reader = [owned_url]() -> Result<std::unique_ptr<SqlConn>> {
    Result<std::unique_ptr<PgConn>> reader = PgConn::Open(owned_url);
    if (!reader.ok()) return reader.status();
    return std::unique_ptr<SqlConn>(std::move(*reader));
  };
  if (options.on_commit)
    parts.upkeep = std::make_shared<ChangeListener>(owned_url, options.on_commit);
  return OpenSqlStore(std::move(parts), std::move(options));
}

}  // namespace q11::server
