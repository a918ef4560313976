#include "token_refresh.h"

#include "account_reply.h"
#include "certificate_refusal.h"
#include "status_macros.h"

namespace q11::device {

Status SessionExpired(const std::string& why) {
  std::string msg = "phiên đăng nhập đã hết hạn, hãy đăng nhập lại / session expired: log in again";
  if (!why.empty()) msg += " (" + why + ")";
  return Unauthenticated(msg);
}

Result<Account> FreshAccount(DatabaseImpl& db, Transport& transport, const Account& account,
                             const RetryPolicy& policy) {
  // No expiry known (an older server) or no refresh token (an older login): use the token
  // as it is; a 401 then says what to do.
  if (account.token_expires_at_ms == 0 || account.refresh_token.empty()) return account;
  if (account.token_expires_at_ms - db.env().NowMs() > kRefreshMarginMs) return account;
  return RefreshTokens(db, transport, account, policy);
}

Result<Account> RefreshTokens(DatabaseImpl& db, Transport& transport, const Account& account,
                              const RetryPolicy& policy) {
  if (account.refresh_token.empty()) return SessionExpired("no refresh token on this device");
  if (account.refresh_expires_at_ms != 0 && account.refresh_expires_at_ms <= db.env().NowMs()) {
    Q11_RETURN_IF_ERROR(db.Logout());
    return SessionExpired("the refresh token has expired");
  }
  Result<HttpReply> reply =
      PostWithRetry(transport, db.env(), "/v1/refresh", "application/json",
                    JsonBody({{"refresh_token", account.refresh_token}}), "", policy, nullptr);
  if (!reply.ok()) {
    const Status& s = reply.status();
    if (s.code() == StatusCode::kUnauthenticated) {
      // Spent, expired or revoked: the tokens are dead, keeping them only repeats this.
      Q11_RETURN_IF_ERROR(db.Logout());
      return SessionExpired(s.message());
    }
    if (s.code() == StatusCode::kUnavailable)
      return Unavailable("cannot reach the server to renew the session: " + s.message());
    if (IsCertificateRefusal(s)) return s;
    return Status(s.code(), "the server refused to renew the session: " + s.message());
  }
  Q11_ASSIGN_OR_RETURN(Account fresh, ParseAccountReply(reply->body, db.env().NowMs(), "refresh"));
  if (fresh.user_id != account.user_id)
    return DataLoss("the refresh answer is for another user (" + fresh.user_id + ")");
  if (fresh.refresh_token.empty()) return DataLoss("the refresh answer has no new refresh token");
  fresh.server_url = account.server_url;
  fresh.server_ca_pem = account.server_ca_pem;
  fresh.contact_phone = account.contact_phone;
  fresh.contact_email = account.contact_email;
  // One transaction: the spent refresh token must never survive without its successor.
  Q11_RETURN_IF_ERROR(db.SaveAccount(fresh));
  return fresh;
}

Result<Account> SignedIn(DatabaseImpl& db, Transport& transport) {
  Result<Account> account = db.GetAccount();
  if (!account.ok() && account.status().code() != StatusCode::kNotFound) return account.status();
  if (!account.ok() || account->token.empty())
    return Unauthenticated("not logged in: run q11 login / chưa đăng nhập");
  return FreshAccount(db, transport, *account, RetryPolicy{});
}

}  // namespace q11::device
