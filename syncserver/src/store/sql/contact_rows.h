// The SQL of ContactStore (store/contact_store.h) on the contacts table, for SqliteStore.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

// Creates the contacts table when missing.
Status CreateContactsTable(SqlConn& db);
Status PutContactRow(SqlConn& db, std::string_view user_id, std::string_view sealed,
                     std::string_view updated_at);
Result<std::optional<std::string>> FindContactRow(SqlConn& db, std::string_view user_id);
Status DeleteContactRow(SqlConn& db, std::string_view user_id);

}  // namespace q11::server
