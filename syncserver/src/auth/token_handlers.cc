#include "auth/token_handlers.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "audit/security_audit.h"
#include "auth/bearer_auth.h"
#include "auth/refresh_tokens.h"
#include "auth/session_response.h"
#include "http/client_address.h"
#include "http/http_body.h"
#include "http/http_errors.h"
#include "http/json_request.h"

namespace q11::server {
namespace {

constexpr size_t kMaxTokenBody = 16 * 1024;

}  // namespace

void RefreshHandler::Handle(Poco::Net::HTTPServerRequest& request,
                            Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  Result<std::string> body = ReadBody(request, kMaxTokenBody);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  auto fields = ParseStringFields(*body, {"refresh_token"});
  if (!fields.ok()) return SendStatusError(response, fields.status());
  int64_t now_s = ctx.clock_ms() / 1000;
  Result<IssuedRefresh> next = ctx.refresh->Rotate((*fields)["refresh_token"], now_s);
  if (!next.ok()) {
    const Status& s = next.status();
    if (s.code() != StatusCode::kUnauthenticated) return SendStatusError(response, s);
    AuditIfEnabled(
        ctx.audit, "-", "refresh.refused", "refresh",
        AuditDetails({{"address", ClientAddress(ctx, request)}, {"reason", s.message()}}));
    return SendJsonError(response, 401, "unauthenticated", s.message(),
                         "Phiên đăng nhập không còn hiệu lực; hãy đăng nhập lại");
  }
  // The account as stored now: a disabled one gets no new tokens (its families were
  // revoked when it was disabled; this also covers a token issued in between).
  Result<std::optional<Account>> account = ctx.store->FindAccountById(next->user_id);
  if (!account.ok()) return SendStatusError(response, account.status());
  if (!account->has_value())
    return SendJsonError(response, 401, "unauthenticated", "the account no longer exists",
                         "Tài khoản không còn tồn tại");
  if ((*account)->disabled) {
    (void)ctx.refresh->RevokeUser(next->user_id, now_s);
    return SendJsonError(response, 403, "permission_denied", "account disabled",
                         "Tài khoản đã bị khóa");
  }
  SendSession(ctx, **account, *next, response);
}

void LogoutHandler::Handle(Poco::Net::HTTPServerRequest& request,
                           Poco::Net::HTTPServerResponse& response) {
  const HandlerContext& ctx = context();
  Result<Account> account = AuthorizeBearer(ctx, request.get("Authorization", ""));
  if (!account.ok()) {
    response.setKeepAlive(false);  // the body stays unread
    return SendStatusError(response, account.status());
  }
  Result<std::string> body = ReadBody(request, kMaxTokenBody);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  auto fields = ParseStringFields(*body, {"refresh_token"});
  if (!fields.ok()) return SendStatusError(response, fields.status());
  Status s =
      ctx.refresh->RevokeFamily((*fields)["refresh_token"], account->id, ctx.clock_ms() / 1000);
  if (!s.ok()) return SendStatusError(response, s);
  AuditIfEnabled(ctx.audit, account->name, "logout", "user/" + account->name,
                 AuditDetails({{"address", ClientAddress(ctx, request)}}));
  response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  response.setContentLength(0);
  response.send();
}

}  // namespace q11::server
