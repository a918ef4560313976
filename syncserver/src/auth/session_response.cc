#include "auth/session_response.h"

#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include <sstream>

#include "http/http_errors.h"

namespace q11::server {

void SendSession(const HandlerContext& ctx, const Account& account, const IssuedRefresh& refresh,
                 Poco::Net::HTTPServerResponse& response, int http_status) {
  const TokenService& tokens = *ctx.tokens;
  Poco::JSON::Object o;
  o.set("token", tokens.Issue(account, ctx.clock_ms() / 1000));
  o.set("expires_in", tokens.ttl_seconds());
  o.set("refresh_token", refresh.token);
  o.set("refresh_expires_in", static_cast<Poco::Int64>(ctx.refresh->ttl_seconds()));
  o.set("user_id", account.id);
  o.set("name", account.name);
  o.set("role", std::string(RoleName(account.role)));
  o.set("unit", account.unit);
  o.set("reporter_ref", account.reporter_ref);
  std::ostringstream out;
  o.stringify(out);
  // Tokens must not be kept by caches or proxies.
  response.set("Cache-Control", "no-store");
  SendJsonBody(response, out.str(), http_status);
}

}  // namespace q11::server
