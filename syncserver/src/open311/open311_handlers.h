// Open311 GeoReport v2 under /open311/v2/ (docs/open311.md): discovery, the service list
// and definitions (the categories, with the ward as a required attribute), POST of a
// service request (with an api_key from `syncserver apikey add`), token lookup, the
// request list with its filters and one request, and mySociety's servicerequestupdates.
// Each answer is XML or JSON as the path's extension asks; errors use the specification's
// format ({code, description} list) and status codes. Reads are public and show only what
// the public receipt lookup shows; nothing about reporters appears in any GET.
#pragma once

#include <string>
#include <string_view>

namespace Poco::Net {
class HTTPRequestHandler;
}

namespace q11::server {

struct HandlerContext;

// The handler for `path` when it lies under /open311/, else nullptr. Poco owns the result.
Poco::Net::HTTPRequestHandler* RouteOpen311(const HandlerContext& context, std::string_view path,
                                            const std::string& method);

}  // namespace q11::server
