#include "account_reply.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "status_macros.h"

namespace q11::device {
namespace {

std::string Field(const Poco::JSON::Object& obj, const std::string& key) {
  if (!obj.has(key) || obj.isNull(key)) return std::string();
  return obj.get(key).convert<std::string>();
}

// `seconds` from now; 0 (unknown) when absent, not a number or not positive.
int64_t ExpiresAt(const Poco::JSON::Object& obj, const std::string& key, int64_t now_ms) {
  if (!obj.has(key) || obj.isNull(key)) return 0;
  int64_t seconds = obj.get(key).convert<int64_t>();
  // Over ten years is not a real lifetime: treat as unknown rather than overflow.
  if (seconds <= 0 || seconds > 10LL * 366 * 24 * 3600) return 0;
  return now_ms + seconds * 1000;
}

}  // namespace

Result<Account> ParseAccountReply(const std::string& body, int64_t now_ms,
                                  const std::string& what) {
  try {
    Poco::JSON::Parser parser;
    Poco::JSON::Object::Ptr obj = parser.parse(body).extract<Poco::JSON::Object::Ptr>();
    Account a;
    a.token = Field(*obj, "token");
    a.user_id = Field(*obj, "user_id");
    a.name = Field(*obj, "name");
    a.role = Field(*obj, "role");
    a.unit = Field(*obj, "unit");
    a.reporter_ref = Field(*obj, "reporter_ref");
    a.refresh_token = Field(*obj, "refresh_token");
    a.token_expires_at_ms = ExpiresAt(*obj, "expires_in", now_ms);
    a.refresh_expires_at_ms = ExpiresAt(*obj, "refresh_expires_in", now_ms);
    if (a.token.empty() || a.user_id.empty())
      return DataLoss("the " + what + " answer has no token or user_id");
    return a;
  } catch (const Poco::Exception& e) {
    return DataLoss("malformed " + what + " answer: " + e.displayText());
  } catch (const std::exception& e) {
    return DataLoss("malformed " + what + " answer: " + e.what());
  }
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
  Poco::JSON::Object obj;
  for (const auto& [key, value] : fields)
    if (!value.empty()) obj.set(key, value);
  std::ostringstream out;
  obj.stringify(out);
  return out.str();
}

}  // namespace q11::device
