// The web app and the landing page (docs/app.md; routes in docs/protocol.md, "HTTP"):
//   GET|HEAD /             the landing page, linking the app, /tra-cuu, /monitor, /admin
//   GET|HEAD /home.css     its style sheet
//   GET|HEAD /app          301 to /app/ (relative URLs in the app resolve below /app/)
//   GET|HEAD /app/         the app's index.html
//   GET|HEAD /app/{name}   an embedded file (app_assets.h), looked up by its exact name
// No account is needed: the app logs in itself. App files carry a Content Security Policy
// allowing WebAssembly ('wasm-unsafe-eval') for /app/ only, an ETag (304 on If-None-Match,
// revalidated on every load: the service worker does the caching) and are sent gzip
// compressed when the client accepts it.
#pragma once

#include <string>
#include <string_view>

#include "http/guarded_handler.h"

namespace Poco::Net {
class HTTPRequestHandler;
}

namespace q11::server {

// The handler for /, /home.css, /app or a /app/ path, an ErrorHandler (405) for such a path
// with another method than GET or HEAD, or nullptr for any other path. Poco owns the result.
Poco::Net::HTTPRequestHandler* RouteApp(const HandlerContext& context, std::string_view path,
                                        const std::string& method);

// Whether an Accept-Encoding header value admits gzip (a "gzip" or "*" coding whose q is
// not 0; an explicit "gzip;q=0" wins over "*").
bool AcceptsGzip(std::string_view accept_encoding);

// Whether an If-None-Match header value names `etag` (quoted) or is "*"; weak tags (W/)
// compare equal to strong ones, as RFC 9110 asks for If-None-Match.
bool EtagMatches(std::string_view if_none_match, std::string_view etag);

}  // namespace q11::server
