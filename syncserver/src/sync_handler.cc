#include "sync_handler.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "http_body.h"
#include "http_errors.h"
#include "protocol/sync_messages.h"
#include "sync_service.h"

namespace q11::server {
namespace {

constexpr std::string_view kContentType = "application/x-q11-sync";

// The account behind a bearer token, as stored now (a disabled account or a changed role
// takes effect at once, not when the token expires).
Result<Account> Authorize(const HandlerContext& ctx, const std::string& header) {
  static constexpr std::string_view kBearer = "Bearer ";
  if (header.size() <= kBearer.size() || header.compare(0, kBearer.size(), kBearer) != 0)
    return Unauthenticated("missing bearer token / chưa đăng nhập");
  Result<TokenClaims> claims =
      ctx.tokens->Verify(std::string_view(header).substr(kBearer.size()), ctx.clock_ms() / 1000);
  if (!claims.ok())
    return Unauthenticated(claims.status().message() +
                           " / phiên đăng nhập không hợp lệ hoặc đã hết hạn");
  Result<std::optional<Account>> account = ctx.store->FindAccountById(claims->user_id);
  if (!account.ok()) return account.status();
  if (!account->has_value())
    return Unauthenticated("the token's account no longer exists / tài khoản không còn tồn tại");
  if ((*account)->disabled) return PermissionDenied("account disabled / tài khoản đã bị khóa");
  return std::move(**account);
}

}  // namespace

void SyncHandler::Handle(Poco::Net::HTTPServerRequest& request,
                         Poco::Net::HTTPServerResponse& response) {
  Result<Account> account = Authorize(context(), request.get("Authorization", ""));
  if (!account.ok()) {
    response.setKeepAlive(false);  // the body stays unread
    return SendStatusError(response, account.status());
  }
  Result<std::string> body = ReadBody(request, context().max_body_bytes);
  if (!body.ok()) return SendBodyError(request, response, body.status());
  Result<wire::SyncRequest> sync = wire::DecodeSyncRequest(*body);
  if (!sync.ok()) {
    const Status& s = sync.status();
    // Every decode failure is the client's: 413 for sizes over the limits, else 400 (the
    // code name still says which kind: data_loss, failed_precondition for a version...).
    int http = s.code() == StatusCode::kResourceExhausted ? 413 : 400;
    return SendJsonError(response, http, StatusCodeName(s.code()),
                         "malformed sync request: " + s.message(), "Yêu cầu đồng bộ không hợp lệ");
  }
  body->clear();
  body->shrink_to_fit();  // a push can be megabytes; do not hold it through the pull
  int64_t now_ms = context().clock_ms();
  Result<wire::SyncResponse> result = RunSync(*context().store, *account, *sync, now_ms);
  if (!result.ok()) return SendStatusError(response, result.status());
  std::string bytes = wire::EncodeSyncResponse(*result);
  response.setStatus(Poco::Net::HTTPResponse::HTTP_OK);
  response.setContentType(std::string(kContentType));
  response.sendBuffer(bytes.data(), bytes.size());
}

}  // namespace q11::server
