// The public receipt lookup's reads (docs/protocol.md, "Public receipt lookup"): one report
// by its receipt code and its staff history, on a pooled read connection. Selects only the
// columns the public may see, so reporter data cannot leak through a later edit of the
// JSON or the page.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "syncserver/store.h"

namespace q11::server {

class ReceiptQueries {
 public:
  // REQUIRES: `db` outlives the object.
  static Result<std::unique_ptr<ReceiptQueries>> Create(SqlConn& db);

  Result<std::optional<PublicCase>> Find(std::string_view code);
  // The reports of a ward, most recently updated first, as the public sees them but without
  // their receipt codes (a code stays its reporter's handle).
  Result<std::vector<PublicCase>> ListWard(std::string_view ward, int limit, int offset);

 private:
  ReceiptQueries() = default;
  // The current row of `st` (the columns of report_) and its staff history.
  Result<PublicCase> ReadCase(SqlStmt& st);
  SqlStmt report_, ward_, history_;
};

}  // namespace q11::server
