#include "device_meta.h"

#include <array>

#include "status_macros.h"

namespace q11::device {
namespace {

// Account fields, stored under "account.<name>".
struct AccountField {
  const char* key;
  std::string Account::*member;
};
constexpr std::array<AccountField, 11> kAccountFields = {{
    {"account.server_url", &Account::server_url},
    {"account.server_ca_pem", &Account::server_ca_pem},
    {"account.token", &Account::token},
    {"account.user_id", &Account::user_id},
    {"account.name", &Account::name},
    {"account.role", &Account::role},
    {"account.unit", &Account::unit},
    {"account.reporter_ref", &Account::reporter_ref},
    {"account.refresh_token", &Account::refresh_token},
    {"account.contact_phone", &Account::contact_phone},
    {"account.contact_email", &Account::contact_email},
}};

struct AccountTime {
  const char* key;
  int64_t Account::*member;
};
constexpr std::array<AccountTime, 2> kAccountTimes = {{
    {"account.token_expires_at_ms", &Account::token_expires_at_ms},
    {"account.refresh_expires_at_ms", &Account::refresh_expires_at_ms},
}};

}  // namespace

Result<std::optional<std::string>> DeviceMeta::Get(std::string_view key) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT value FROM device_meta WHERE key = ?"));
  st->Bind(1, key);
  Q11_ASSIGN_OR_RETURN(bool row, st->Step());
  if (!row) return std::optional<std::string>();
  return st->OptText(0);
}

Status DeviceMeta::Set(std::string_view key, std::string_view value) {
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("INSERT OR REPLACE INTO device_meta(key, value) VALUES (?, ?)"));
  return st->Bind(1, key).Bind(2, value).Run();
}

Status DeviceMeta::Erase(std::string_view key) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("DELETE FROM device_meta WHERE key = ?"));
  return st->Bind(1, key).Run();
}

Result<uint64_t> DeviceMeta::Cursor() {
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, Get("cursor"));
  if (!v || v->empty()) return uint64_t{0};
  try {
    return static_cast<uint64_t>(std::stoull(*v));
  } catch (const std::exception&) {
    return DataLoss("device_meta cursor is not a number: " + *v);
  }
}

Status DeviceMeta::SetCursor(uint64_t cursor) { return Set("cursor", std::to_string(cursor)); }

Result<Account> DeviceMeta::GetAccount() {
  Account a;
  for (const AccountField& f : kAccountFields) {
    Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, Get(f.key));
    if (v) a.*f.member = *v;
  }
  for (const AccountTime& t : kAccountTimes) {
    Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, Get(t.key));
    if (!v || v->empty()) continue;
    try {
      a.*t.member = std::stoll(*v);
    } catch (const std::exception&) {
      return DataLoss(std::string("device_meta ") + t.key + " is not a number: " + *v);
    }
  }
  if (a.token.empty()) return NotFound("not logged in: run q11 login");
  return a;
}

Status DeviceMeta::SaveAccount(const Account& account) {
  for (const AccountField& f : kAccountFields) Q11_RETURN_IF_ERROR(Set(f.key, account.*f.member));
  for (const AccountTime& t : kAccountTimes)
    Q11_RETURN_IF_ERROR(Set(t.key, std::to_string(account.*t.member)));
  return Status::Ok();
}

Status DeviceMeta::ForgetTokens() {
  // The server URL (and its CA), user id and name stay: a later login knows whose replica
  // this is, and where and how to reach the server.
  for (const char* key : {"account.token", "account.refresh_token", "account.token_expires_at_ms",
                          "account.refresh_expires_at_ms"})
    Q11_RETURN_IF_ERROR(Erase(key));
  return Status::Ok();
}

}  // namespace q11::device
