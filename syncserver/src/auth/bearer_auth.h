// The account behind an "Authorization: Bearer TOKEN" header, as stored now: a disabled
// account or a changed role takes effect at once, not when the token expires. Shared by
// the sync endpoint and the admin API.
#pragma once

#include <string>

#include "http/handler_context.h"
#include "protocol/result.h"
#include "syncserver/account.h"

namespace q11::server {

// kUnauthenticated (no, bad or expired token; account gone), kPermissionDenied (disabled).
Result<Account> AuthorizeBearer(const HandlerContext& context, const std::string& header);

}  // namespace q11::server
