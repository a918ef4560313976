// BEGIN IMMEDIATE / COMMIT / ROLLBACK as statements prepared once on the write connection.
//
// Why not sql::Transaction: it runs sqlite3_exec, which parses the SQL every time; when
// each push entry still had a savepoint of its own (100 per request in the benchmark), the
// parsing alone showed up as a tenth of the push's CPU time.
#pragma once

#include <memory>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::server {

class WriteTransaction {
 public:
  static Result<std::unique_ptr<WriteTransaction>> Create(sql::Db& db);

  Status Begin();   // BEGIN IMMEDIATE
  Status Commit();  // COMMIT
  void Rollback();  // ROLLBACK; a no-op when no transaction is open

 private:
  explicit WriteTransaction(sql::Db& db) : db_(db) {}
  sql::Db& db_;
  sql::Statement begin_, commit_, rollback_;
};

}  // namespace q11::server
