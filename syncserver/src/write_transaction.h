// BEGIN IMMEDIATE / COMMIT / ROLLBACK and the per-entry SAVEPOINT of the push, as
// statements prepared once on the write connection.
//
// Why not sql::Transaction / sql::Savepoint: those run sqlite3_exec, which parses the SQL
// every time; a push opens and releases a savepoint per entry (100 per request in the
// benchmark), and the parsing alone showed up as a tenth of the push's CPU time.
#pragma once

#include <memory>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::server {

class WriteTransaction {
 public:
  static Result<std::unique_ptr<WriteTransaction>> Create(sql::Db& db);

  Status Begin();              // BEGIN IMMEDIATE
  Status Commit();             // COMMIT
  void Rollback();             // ROLLBACK; a no-op when no transaction is open
  Status Savepoint();          // SAVEPOINT entry
  Status ReleaseSavepoint();   // RELEASE entry
  Status RollbackSavepoint();  // ROLLBACK TO entry, then RELEASE entry

 private:
  explicit WriteTransaction(sql::Db& db) : db_(db) {}
  sql::Db& db_;
  sql::Statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
};

}  // namespace q11::server
