#include "auth/bearer_auth.h"

#include "log/logger.h"

namespace q11::server {

Result<Account> AuthorizeBearer(const HandlerContext& ctx, const std::string& header) {
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
  log::NoteUser((*account)->id);  // the request's log line names it (pseudonymous)
  return std::move(**account);
}

}  // namespace q11::server
