// The SQL of ContactStore (store/contact_store.h) on the contacts table, for SqliteStore.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::server {

// Creates the contacts table when missing.
Status CreateContactsTable(sql::Db& db);
Status PutContactRow(sql::Db& db, std::string_view user_id, std::string_view sealed,
                     std::string_view updated_at);
Result<std::optional<std::string>> FindContactRow(sql::Db& db, std::string_view user_id);
Status DeleteContactRow(sql::Db& db, std::string_view user_id);

}  // namespace q11::server
