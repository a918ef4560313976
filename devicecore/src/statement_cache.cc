#include "statement_cache.h"

namespace q11::device {

Result<StatementCache::Lease> StatementCache::Get(std::string_view sql) {
  auto it = stmts_.find(std::string(sql));
  if (it == stmts_.end()) {
    Result<sql::Statement> st = db_->Prepare(sql);
    if (!st.ok()) return st.status();
    it = stmts_.emplace(std::string(sql), std::move(st).value()).first;
  }
  it->second.Reset();
  return Lease(&it->second);
}

}  // namespace q11::device
