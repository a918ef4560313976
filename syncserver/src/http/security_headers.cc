#include "http/security_headers.h"

#include <Poco/Net/HTTPServerResponse.h>

namespace q11::server {

void SetSecurityHeaders(Poco::Net::HTTPServerResponse& response, bool no_store) {
  response.set("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("X-Frame-Options", "DENY");
  // The console's files change only with the binary, but an admin should never run a
  // stale console against a newer API: revalidate them too.
  response.set("Cache-Control", no_store ? "no-store" : "no-cache");
}

}  // namespace q11::server
