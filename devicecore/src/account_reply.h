// The account answer that /v1/login, /v1/register and /v1/refresh share, and storing it.
#pragma once

#include <cstdint>
#include <string>

#include "database_impl.h"
#include "devicecore/database.h"

namespace q11::device {

// Parses {"token","expires_in","refresh_token","refresh_expires_in","user_id",...}. Expiry
// times are made absolute on the device clock at `now_ms` (the moment of receipt), so a
// skewed phone clock does not matter. kDataLoss when the token or user_id is missing.
// `what` names the call in messages ("login").
Result<Account> ParseAccountReply(const std::string& body, int64_t now_ms, const std::string& what);

// Stores a freshly obtained account (login, register). The same user keeps their replica
// and contact details; another user gets a fresh replica (DatabaseImpl::ResetForNewUser,
// kFailedPrecondition while the previous user has unsynced changes).
Status StoreNewAccount(DatabaseImpl& db, Account& account);

// A JSON object of string fields, e.g. {"name": ..., "password": ...}; empty values are
// left out.
std::string JsonBody(std::initializer_list<std::pair<const char*, std::string>> fields);

}  // namespace q11::device
