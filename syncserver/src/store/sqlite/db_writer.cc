#include "store/sqlite/db_writer.h"

#include <mutex>

namespace q11::server {
namespace {

class OwnWriter final : public DbWriter {
 public:
  explicit OwnWriter(sql::Db db) : db_(std::move(db)) {}

  Status Write(const DbJob& job) override {
    std::lock_guard<std::mutex> lock(mu_);
    Result<sql::Transaction> txn = sql::Transaction::Begin(db_);
    if (!txn.ok()) return txn.status();
    Q11_RETURN_IF_ERROR(job(db_));  // the transaction rolls back on the way out
    return txn->Commit();
  }

 private:
  std::mutex mu_;
  sql::Db db_;
};

}  // namespace

Result<std::unique_ptr<DbWriter>> OpenOwnWriter(const std::string& db_path) {
  Result<sql::Db> db = sql::Db::Open(db_path, /*create=*/true);
  if (!db.ok()) return db.status();
  return std::unique_ptr<DbWriter>(new OwnWriter(std::move(*db)));
}

}  // namespace q11::server
