#include "store/db_writer.h"
#include "store/sqlite/sqlite_conn.h"

#include <mutex>

namespace q11::server {
namespace {

class OwnWriter final : public DbWriter {
 public:
  explicit OwnWriter(SqliteConn db) : db_(std::move(db)) {}

  Status Write(const DbJob& job) override {
    std::lock_guard<std::mutex> lock(mu_);
    Result<SqlTransaction> txn = SqlTransaction::Write(db_);
    if (!txn.ok()) return txn.status();
    Q11_RETURN_IF_ERROR(job(db_));  // the transaction rolls back on the way out
    return txn->Commit();
  }

 private:
  std::mutex mu_;
  SqliteConn db_;
};

}  // namespace

Result<std::unique_ptr<DbWriter>> OpenOwnWriter(const std::string& db_path) {
  Result<SqliteConn> db = OpenSqliteConn(db_path, /*create=*/true);
  if (!db.ok()) return db.status();
  return std::unique_ptr<DbWriter>(new OwnWriter(std::move(*db)));
}

}  // namespace q11::server
