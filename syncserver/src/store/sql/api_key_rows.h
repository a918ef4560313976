// The SQL of ApiKeyStore (store/api_key_store.h) on the api_keys table, for SqliteStore:
// writes run as jobs of its single writer, reads on a pooled read connection.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "store/api_key_store.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

Status InsertApiKeyRow(SqlConn& db, std::string_view name, std::string_view key_hash,
                       std::string_view created_at);
Result<std::vector<ApiKeyInfo>> ReadApiKeys(SqlConn& db);
// Checks and revokes in one transaction (the caller's).
Result<ApiKeyRevocation> RevokeApiKeyRow(SqlConn& db, std::string_view name,
                                         std::string_view revoked_at);
Result<std::optional<std::string>> FindLiveApiKeyRow(SqlConn& db, std::string_view key_hash);

}  // namespace q11::server
