// BEGIN IMMEDIATE / COMMIT / ROLLBACK and the per-entry SAVEPOINT of the push, as
// statements prepared once on the write connection.
//
// Why not sql::Transaction / sql::Savepoint: those run sqlite3_exec, which parses the SQL
// every time; a push opens and releases a savepoint per entry (100 per request in the
// benchmark), and the parsing alone showed up as a tenth of the push's CPU time.
#pragma once

#include <memory>
#include <string>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::server {

class WriteTransaction {
 public:
  // `savepoint` names this object's savepoints, so that nested ones (a request's, and
  // each entry's inside it) stay apart.
  static Result<std::unique_ptr<WriteTransaction>> Create(sql::Db& db,
                                                          const std::string& savepoint = "entry");

  Status Begin();              // BEGIN IMMEDIATE
  Status Commit();             // COMMIT
  void Rollback();             // ROLLBACK; a no-op when no transaction is open
  bool InTransaction() const;  // false after COMMIT, ROLLBACK, or when SQLite abandoned it
  Status Savepoint();          // SAVEPOINT name
  Status ReleaseSavepoint();   // RELEASE name
  Status RollbackSavepoint();  // ROLLBACK TO name, then RELEASE name

 private:
  explicit WriteTransaction(sql::Db& db) : db_(db) {}
  sql::Db& db_;
  sql::Statement begin_, commit_, rollback_, savepoint_, release_, rollback_to_;
};

}  // namespace q11::server
