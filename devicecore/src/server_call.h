// One request to the server with the retry policy of docs/architecture.md: connection
// failures, 5xx and 429 are retried with doubling backoff (sleeping through the Env); any
// other HTTP error becomes a Status carrying the server's JSON message.
#pragma once

#include <string>
#include <string_view>

#include "devicecore/env.h"

namespace q11::device {

struct RetryPolicy {
  int max_attempts = 4;
  int initial_backoff_ms = 200;
  // false: a 429 is answered at once with kResourceExhausted (and the Retry-After) instead
  // of being retried. Registration uses it: retrying a rate-limited call only digs deeper.
  bool retry_rate_limited = true;
};

struct CallStats {
  int attempts = 0;
  int64_t bytes_up = 0, bytes_down = 0;  // over every attempt that reached the server
};

// Returns a 2xx reply, or: kUnavailable (unreachable, or 5xx/429 after the last attempt),
// kUnauthenticated (401), kPermissionDenied (403), kInvalidArgument (400), kNotFound (404),
// kAlreadyExists (409), kResourceExhausted (429 when the policy does not retry it),
// kFailedPrecondition (other 4xx). A 429/503 message names the Retry-After when the server
// sent one. `stats` may be null.
Result<HttpReply> PostWithRetry(Transport& transport, Env& env, std::string_view path,
                                std::string_view content_type, std::string_view body,
                                std::string_view bearer, const RetryPolicy& policy,
                                CallStats* stats);

// The same for any request (a GET with a query string, say); the body, if any, must stay
// live across the retries.
Result<HttpReply> SendWithRetry(Transport& transport, Env& env, const HttpRequest& request,
                                const RetryPolicy& policy, CallStats* stats);

// The message of a JSON error body {"error","message","message_vi"}: "English / Tiếng Việt",
// or a short excerpt of the body when it is not such JSON.
std::string ServerMessage(const HttpReply& reply);

}  // namespace q11::device
