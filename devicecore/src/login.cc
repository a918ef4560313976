// Login(): POST /v1/login with the name and password, store the account the server
// returns. The password is never stored.
#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "database_impl.h"
#include "devicecore/sync.h"
#include "server_call.h"
#include "status_macros.h"

namespace q11::device {
namespace {

std::string Field(const Poco::JSON::Object& obj, const std::string& key) {
  if (!obj.has(key) || obj.isNull(key)) return std::string();
  return obj.get(key).convert<std::string>();
}

Result<Account> ParseLoginReply(const std::string& body) {
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
    if (a.token.empty() || a.user_id.empty())
      return DataLoss("the login answer has no token or user_id");
    return a;
  } catch (const Poco::Exception& e) {
    return DataLoss("malformed login answer: " + e.displayText());
  } catch (const std::exception& e) {
    return DataLoss(std::string("malformed login answer: ") + e.what());
  }
}

}  // namespace

Result<Account> Login(Database& database, Transport& transport, const std::string& server_url,
                      const std::string& name, const std::string& password) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("Login needs a Database made by Database::Open");
  if (name.empty()) return InvalidArgument("the name is empty / tên đăng nhập trống");

  Poco::JSON::Object req;
  req.set("name", name);
  req.set("password", password);
  std::ostringstream body;
  req.stringify(body);

  Result<HttpReply> reply = PostWithRetry(transport, db->env(), "/v1/login", "application/json",
                                          body.str(), "", RetryPolicy{}, nullptr);
  if (!reply.ok()) {
    const Status& s = reply.status();
    if (s.code() == StatusCode::kUnavailable)
      return Unavailable("cannot reach the server: " + s.message());
    return Status(s.code(), "login refused: " + s.message());
  }
  Q11_ASSIGN_OR_RETURN(Account account, ParseLoginReply(reply->body));
  account.server_url = server_url;

  // Earlier logins keep their user id even after logout (only the token is erased).
  Result<std::optional<std::string>> previous_user = db->meta().Get("account.user_id");
  Q11_RETURN_IF_ERROR(previous_user.status());
  if (previous_user->has_value() && !(*previous_user)->empty() &&
      **previous_user != account.user_id) {
    Q11_RETURN_IF_ERROR(db->ResetForNewUser());
  }
  Q11_RETURN_IF_ERROR(db->SaveAccount(account));
  return account;
}

}  // namespace q11::device
