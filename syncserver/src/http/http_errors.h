// Error answers of the HTTP API: JSON {"error","message","message_vi"} where `error` is a
// stable code name from protocol/result.h (docs/protocol.md, "HTTP"), and the mapping
// from a Status code to the HTTP status a client acts on.
#pragma once

#include <string>
#include <string_view>

#include "protocol/result.h"

namespace Poco::Net {
class HTTPServerResponse;
}

namespace q11::server {

// 400, 401, 403, 404, 409, 413, 503 or 500.
int HttpStatusFor(StatusCode code);

// Sends a JSON error. `code` is a StatusCodeName (protocol/result.h), whatever the HTTP
// status (a 405 is "invalid_argument", a 411 "failed_precondition").
void SendJsonError(Poco::Net::HTTPServerResponse& response, int http_status, std::string_view code,
                   std::string_view message, std::string_view message_vi);

// Sends `status` with its mapped HTTP status. The Vietnamese text is taken from the
// message when it carries "english / tiếng việt", else a generic one for the code.
void SendStatusError(Poco::Net::HTTPServerResponse& response, const Status& status);

// Sends 429 {"error":"resource_exhausted",...} with Retry-After: `retry_after_s`.
void SendRateLimited(Poco::Net::HTTPServerResponse& response, int retry_after_s);

// Sends a 200 (or `http_status`) JSON body.
void SendJsonBody(Poco::Net::HTTPServerResponse& response, const std::string& json,
                  int http_status = 200);

}  // namespace q11::server
