// The headers every admin page and admin API answer carries: a strict Content Security
// Policy (only the server's own scripts and styles, never framed), no MIME sniffing, no
// referrer, and no caching of API answers (they hold conflict data).
#pragma once

namespace Poco::Net {
class HTTPServerResponse;
}

namespace q11::server {

void SetSecurityHeaders(Poco::Net::HTTPServerResponse& response, bool no_store);

}  // namespace q11::server
