// The server's log: one line per event on stderr, as text (the default, for a person at a
// terminal) or as one JSON object a line (`serve --log-format=json`, for journald or a
// log shipper; docs/monitoring.md "Logs").
//
// A JSON line always has "ts" (ISO-8601 UTC, milliseconds), "level" (info, warn, error)
// and "msg"; while a request is handled on the thread (RequestScope), its "request_id";
// then the line's own fields. Every string is escaped (control characters, quotes,
// invalid UTF-8 as \u00XX), so nothing a client sends can end a line or add a field.
// Never log a password, a token, a phone number or a report's text (docs/security.md):
// the request line names the route pattern, not the raw path, and the account by its
// pseudonymous id.
//
// Each line is written with one write(2), so lines from different threads never mix.
// Thread safety: everything here may be called from any thread; SetFormat once at start.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace q11::server::log {

enum class Format { kText, kJson };
enum class Level { kInfo, kWarn, kError };

// "text" or "json"; nullopt for anything else.
std::optional<Format> ParseFormat(std::string_view name);
void SetFormat(Format format);  // process-wide; default kText
Format CurrentFormat();

// One field of a JSON line: a string, or a number written as given.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), text(v) {}
  Field(std::string_view k, const std::string& v) : key(k), text(v) {}
  Field(std::string_view k, const char* v) : key(k), text(v) {}
  Field(std::string_view k, int64_t v) : key(k), text(std::to_string(v)), number(true) {}
  Field(std::string_view k, int v) : key(k), text(std::to_string(v)), number(true) {}
  std::string_view key;
  std::string text;
  bool number = false;
};

// A message of the server's: text "syncserver: MSG", or a JSON line with `fields`.
void Write(Level level, std::string_view msg, std::initializer_list<Field> fields = {});
inline void Info(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kInfo, msg, fields);
}
inline void Warn(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kWarn, msg, fields);
}
inline void Error(std::string_view msg, std::initializer_list<Field> fields = {}) {
  Write(Level::kError, msg, fields);
}

// One handled request. Text: "METHOD URI STATUS 1.2ms[ error: FAILURE]" as always; JSON:
// msg "request" with method, route, status, duration_ms, client, user_id (when the
// request authenticated) and error.
struct RequestLine {
  std::string_view method;
  std::string_view uri;    // text only: the JSON line has the route instead
  std::string_view route;  // http/route_label.h
  int status = 0;
  double duration_ms = 0;
  std::string_view client;   // the client's address (http/client_address.h)
  std::string_view failure;  // an exception caught at the handler's edge; usually empty
};
void Request(const RequestLine& line);

// The request being handled on this thread, for every line written meanwhile.
class RequestScope {
 public:
  explicit RequestScope(std::string_view request_id);
  ~RequestScope();
  RequestScope(const RequestScope&) = delete;
  RequestScope& operator=(const RequestScope&) = delete;
};
// "" outside a RequestScope.
std::string_view CurrentRequestId();
// The account the current request authenticated as (its id, a UUID: pseudonymous).
void NoteUser(std::string_view user_id);
std::string_view CurrentUser();

// The id a request is known by: the client's X-Request-Id when it is 1-64 characters of
// A-Z a-z 0-9 . _ : - (so a phone can match its own report of a failed sync with the
// server's log), else a new random one of 16 hex digits.
std::string RequestIdFrom(std::string_view header);

// `text` as the inside of a JSON string (quotes not included).
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace q11::server::log
