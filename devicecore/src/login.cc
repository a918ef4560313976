// Login() and Logout(): POST /v1/login with the name and password and store the account the
// server returns (the password is never stored); POST /v1/logout and forget the tokens.
#include "account_reply.h"
#include "certificate_refusal.h"
#include "database_impl.h"
#include "devicecore/account.h"
#include "server_call.h"
#include "status_macros.h"

namespace q11::device {

Result<Account> Login(Database& database, Transport& transport, const std::string& server_url,
                      const std::string& name, const std::string& password,
                      const std::string& server_ca_pem) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("Login needs a Database made by Database::Open");
  if (name.empty()) return InvalidArgument("the name is empty / tên đăng nhập trống");

  Result<HttpReply> reply =
      // The device id lets the server tell its owner's known phone from a password guesser
      // elsewhere: the per-name login limit does not hold a device bound to the account.
      PostWithRetry(transport, db->env(), "/v1/login", "application/json",
                    JsonBody({{"name", name}, {"password", password}, {"device_id", db->DeviceId()}}),
                    "", RetryPolicy{}, nullptr);
  if (!reply.ok()) {
    const Status& s = reply.status();
    if (s.code() == StatusCode::kUnavailable)
      return Unavailable("cannot reach the server: " + s.message());
    if (IsCertificateRefusal(s)) return s;  // the server refused nothing: we refused it
    // At login a 401 means one thing: the name or the password is wrong (the server's own
    // words, also when an older server words it otherwise). Not "session expired".
    if (s.code() == StatusCode::kUnauthenticated)
      return Unauthenticated("Sai tên đăng nhập hoặc mật khẩu / wrong name or password");
    return Status(s.code(), "login refused: " + s.message());
  }
  Q11_ASSIGN_OR_RETURN(Account account, ParseAccountReply(reply->body, db->env().NowMs(), "login"));
  account.server_url = server_url;
  account.server_ca_pem = server_ca_pem;
  Q11_RETURN_IF_ERROR(StoreNewAccount(*db, account));
  return account;
}

Result<LogoutResult> Logout(Database& database, Transport& transport) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("Logout needs a Database made by Database::Open");
  Q11_ASSIGN_OR_RETURN(Account account, db->GetAccount());

  LogoutResult result;
  if (account.refresh_token.empty()) {
    result.note = "no refresh token to revoke (logged in before refresh tokens)";
  } else {
    // One attempt, no backoff: the user wants out now; an offline phone just forgets.
    Result<HttpReply> reply = PostWithRetry(transport, db->env(), "/v1/logout", "application/json",
                                            JsonBody({{"refresh_token", account.refresh_token}}),
                                            account.token, RetryPolicy{1, 0}, nullptr);
    result.server_told = reply.ok();
    if (!reply.ok()) result.note = reply.status().message();
  }
  // Whatever the server said: a token the device no longer holds cannot leak from it.
  Q11_RETURN_IF_ERROR(db->Logout());
  return result;
}

}  // namespace q11::device
