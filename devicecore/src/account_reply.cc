#include "account_reply.h"

#include "protocol/json_value.h"
#include "status_macros.h"

namespace q11::device {
namespace {

// A text field; "" when absent or null. A number (an id sent as one) is taken as its text;
// anything else is malformed.
Result<std::string> Field(const json::Value& obj, std::string_view key) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr || v->is_null()) return std::string();
  if (v->is_string()) return v->string();
  if (v->is_number()) return json::Value(*v).Write();
  return InvalidArgument("field " + std::string(key) + " is not text");
}

// `seconds` from now; 0 (unknown) when absent, not a whole number or not positive.
int64_t ExpiresAt(const json::Value& obj, std::string_view key, int64_t now_ms) {
  const json::Value* v = obj.Find(key);
  if (v == nullptr || !v->ToInt()) return 0;
  int64_t seconds = *v->ToInt();
  // Over ten years is not a real lifetime: treat as unknown rather than overflow.
  if (seconds <= 0 || seconds > 10LL * 366 * 24 * 3600) return 0;
  return now_ms + seconds * 1000;
}

}  // namespace

Result<Account> ParseAccountReply(const std::string& body, int64_t now_ms,
                                  const std::string& what) {
  Result<json::Value> obj = json::Parse(body);
  if (!obj.ok()) return DataLoss("malformed " + what + " answer: " + obj.status().message());
  if (!obj->is_object()) return DataLoss("malformed " + what + " answer: not a JSON object");
  Account a;
  for (auto [key, member] :
       {std::pair{"token", &Account::token}, std::pair{"user_id", &Account::user_id},
        std::pair{"name", &Account::name}, std::pair{"role", &Account::role},
        std::pair{"unit", &Account::unit}, std::pair{"reporter_ref", &Account::reporter_ref},
        std::pair{"refresh_token", &Account::refresh_token}}) {
    Result<std::string> text = Field(*obj, key);
    if (!text.ok()) return DataLoss("malformed " + what + " answer: " + text.status().message());
    a.*member = std::move(*text);
  }
  a.token_expires_at_ms = ExpiresAt(*obj, "expires_in", now_ms);
  a.refresh_expires_at_ms = ExpiresAt(*obj, "refresh_expires_in", now_ms);
  if (a.token.empty() || a.user_id.empty())
    return DataLoss("the " + what + " answer has no token or user_id");
  return a;
}

Status StoreNewAccount(DatabaseImpl& db, Account& account) {
  // Earlier logins keep their user id even after logout (only the tokens are erased).
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> previous_user, db.meta().Get("account.user_id"));
  bool same_user = previous_user && *previous_user == account.user_id;
  if (previous_user && !previous_user->empty() && !same_user)
    Q11_RETURN_IF_ERROR(db.ResetForNewUser());
  if (same_user) {
    // Login does not return the contact details registration stored: keep them.
    for (auto [key, member] : {std::pair{"account.contact_phone", &Account::contact_phone},
                               std::pair{"account.contact_email", &Account::contact_email}}) {
      if (!(account.*member).empty()) continue;
      Q11_ASSIGN_OR_RETURN(std::optional<std::string> kept, db.meta().Get(key));
      if (kept) account.*member = *kept;
    }
  }
  return db.SaveAccount(account);
}

std::string JsonBody(std::initializer_list<std::pair<const char*, std::string>> fields) {
  json::Value obj = json::Object();
  for (const auto& [key, value] : fields)
    if (!value.empty()) obj.Set(key, value);
  return obj.Write();
}

}  // namespace q11::device
