// The answer of login, refresh and sign-up (docs/protocol.md, "Accounts and tokens"):
// {"token","expires_in","refresh_token","refresh_expires_in","user_id","name","role",
//  "unit","reporter_ref"}. One shape, so a device handles all three the same way.
#pragma once

#include <string>

#include "auth/refresh_tokens.h"
#include "http/handler_context.h"
#include "syncserver/account.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace q11::server {

// Issues an access token for `account` and sends it with `refresh` (already stored).
void SendSession(const HandlerContext& context, const Account& account,
                 const IssuedRefresh& refresh, Poco::Net::HTTPServerResponse& response,
                 int http_status = 200);

}  // namespace q11::server
