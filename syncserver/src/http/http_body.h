// Reading a request body under a size cap. Poco's HTTPServer has none, so a client could
// otherwise make the server buffer any amount. A declared Content-Length over the cap is
// refused before reading anything; a chunked body is read until it passes the cap; a
// body with neither is refused (HTTP 411).
#pragma once

#include <cstddef>
#include <string>

#include "protocol/result.h"

namespace Poco::Net {
class HTTPServerRequest;
class HTTPServerResponse;
}  // namespace Poco::Net

namespace q11::server {

// Errors: kResourceExhausted (over the cap: 413), kFailedPrecondition (no length: 411),
// kInvalidArgument (the body ended early: 400).
Result<std::string> ReadBody(Poco::Net::HTTPServerRequest& request, size_t cap);

// Reads and drops, within bounds (time and bytes), what the client is still sending of a
// body the handler refuses without reading. Closing a socket with unread input makes the
// kernel send a reset, which can destroy the answer before the client reads it; draining
// first lets the client see the error. Answer with keep-alive off afterwards.
void DrainBody(Poco::Net::HTTPServerRequest& request);

// Answers a ReadBody error with 411/413/400 and closes the connection afterwards (the
// unread rest of the body would otherwise be taken for the next request). Before a 413 it
// reads and drops, within bounds, what the client is still sending, so the client sees the
// error instead of a connection reset.
void SendBodyError(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                   const Status& status);

}  // namespace q11::server
