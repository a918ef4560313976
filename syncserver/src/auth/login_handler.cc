#include "auth/login_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "audit/security_audit.h"
#include "auth/accounts.h"
#include "auth/rate_limiter.h"
#include "auth/session_response.h"
#include "http/client_address.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/json_request.h"

namespace q11::server {
namespace {

constexpr size_t kMaxLoginBody = 64 * 1024;

// Whether `device_id` is bound to the account named `name` (it has synced for it).
bool FromKnownDevice(Store& store, const std::string& name, const std::string& device_id) {
  if (device_id.empty() || device_id.size() > 128) return false;
  Result<std::optional<std::string>> owner = store.FindDeviceOwner(device_id);
  if (!owner.ok() || !owner->has_value()) return false;
  Result<std::optional<StoredAccount>> account = store.FindAccountByName(name);
  return account.ok() && account->has_value() && (*account)->account.id == **owner;
}

}  // namespace

void LoginHandler::Handle(Poco::Net::HTTPServerRequest& request,
                          Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  std::string address = ClientAddress(ctx, request);
  int64_t now_ms = ctx.clock_ms();
  // Before the body and the password hash: the limit also keeps guessing from costing
  // the server a PBKDF2 per attempt.
  if (ctx.limits != nullptr) {
    if (auto wait = ctx.limits->login_by_address.Take(address, now_ms)) {
      response.setKeepAlive(false);
      return SendRateLimited(response, *wait);
    }
  }
  Result<std::string> body = ReadBody(request, kMaxLoginBody);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  auto fields = ParseStringFields(*body, {"name", "password"}, {"device_id"});
  if (!fields.ok()) return SendStatusError(response, fields.status());
  const std::string& name = (*fields)["name"];
  if (ctx.limits != nullptr) {
    // Per (name, address): guessing from elsewhere never spends the owner's bucket.
    if (auto wait = ctx.limits->login_by_name_and_address.Take(name + '\n' + address, now_ms))
      return SendRateLimited(response, *wait);
    // Per name over all addresses, except from a device already bound to that account: a
    // guesser cannot lock the owner out of their own phone (the password is still checked).
    if (!FromKnownDevice(*ctx.store, name, (*fields)["device_id"])) {
      if (auto wait = ctx.limits->login_by_name.Take(name, now_ms))
        return SendRateLimited(response, *wait);
    }
  }
  Result<Account> account = Authenticate(*ctx.store, name, (*fields)["password"]);
  if (!account.ok()) {
    const Status& s = account.status();
    AuditIfEnabled(ctx.audit, name, "login.failed", "user/" + name,
                   AuditDetails({{"address", address}, {"reason", s.message()}}));
    if (s.code() == StatusCode::kUnauthenticated)
      return SendJsonError(response, 401, "unauthenticated", "wrong name or password",
                           "Sai tên đăng nhập hoặc mật khẩu");
    if (s.code() == StatusCode::kPermissionDenied)
      return SendJsonError(response, 403, "permission_denied", "account disabled",
                           "Tài khoản đã bị khóa");
    return SendStatusError(response, s);
  }
  Result<IssuedRefresh> refresh = ctx.refresh->IssueFamily(account->id, now_ms / 1000);
  if (!refresh.ok()) return SendStatusError(response, refresh.status());
  AuditIfEnabled(ctx.audit, account->name, "login.succeeded", "user/" + account->name,
                 AuditDetails({{"address", address}, {"family", refresh->family_id}}));
  SendSession(ctx, *account, *refresh, response);
}

}  // namespace q11::server
