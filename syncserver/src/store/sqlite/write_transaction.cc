#include "store/sqlite/write_transaction.h"

namespace q11::server {

Result<std::unique_ptr<WriteTransaction>> WriteTransaction::Create(sql::Db& db) {
  std::unique_ptr<WriteTransaction> t(new WriteTransaction(db));
  struct {
    sql::Statement* target;
    const char* sql;
  } statements[] = {
      {&t->begin_, "BEGIN IMMEDIATE"},
      {&t->commit_, "COMMIT"},
      {&t->rollback_, "ROLLBACK"},
  };
  for (auto& s : statements) {
    Result<sql::Statement> st = db.Prepare(s.sql);
    if (!st.ok()) return st.status();
    *s.target = std::move(*st);
  }
  return t;
}

Status WriteTransaction::Begin() { return begin_.Run(); }
Status WriteTransaction::Commit() { return commit_.Run(); }

void WriteTransaction::Rollback() {
  if (sqlite3_get_autocommit(db_.get()) == 0) (void)rollback_.Run();
}

}  // namespace q11::server
