#include "log/logger.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

#include "protocol/ids.h"

namespace q11::server::log {
namespace {

std::atomic<Format> g_format{Format::kText};

struct RequestState {
  std::string id;
  std::string user;
  bool active = false;
};
thread_local RequestState t_request;

const char* LevelName(Level level) {
  switch (level) {
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

// The length of the valid UTF-8 sequence at s[i], or 0 when there is none.
size_t Utf8Length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  if (n == 2 && c < 0xC2) return 0;  // overlong
  return n;
}

void WriteLine(std::string& line) {
  line += '\n';
  // One write(2): lines of different threads never interleave.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) return;  // nowhere to log to; nothing better to do
    p += n;
    left -= static_cast<size_t>(n);
  }
}

// {"ts":...,"level":...,"msg":...,"request_id":... — the caller adds fields and "}".
std::string JsonStart(Level level, std::string_view msg) {
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  std::string out =
      "{\"ts\":\"" + FormatUtc(now) + "\",\"level\":\"" + LevelName(level) + "\",\"msg\":\"";
  AppendJsonString(out, msg);
  out += '"';
  if (t_request.active) {
    out += ",\"request_id\":\"";
    AppendJsonString(out, t_request.id);
    out += '"';
  }
  return out;
}

void AppendField(std::string& out, std::string_view key, std::string_view text, bool number) {
  out += ",\"";
  AppendJsonString(out, key);
  out += "\":";
  if (number) {
    out += text;
    return;
  }
  out += '"';
  AppendJsonString(out, text);
  out += '"';
}

}  // namespace

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::kText;
  if (name == "json") return Format::kJson;
  return std::nullopt;
}

void SetFormat(Format format) { g_format.store(format, std::memory_order_relaxed); }
Format CurrentFormat() { return g_format.load(std::memory_order_relaxed); }

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
      ++i;
    } else if (c == '\n') {
      out += "\\n", ++i;
    } else if (c == '\r') {
      out += "\\r", ++i;
    } else if (c == '\t') {
      out += "\\t", ++i;
    } else if (c < 0x20 || c == 0x7F) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (size_t n = Utf8Length(text, i); n > 0) {
      out.append(text.substr(i, n));
      i += n;
    } else {
      // Not UTF-8: the byte as a Latin-1 character keeps the line valid JSON.
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
      ++i;
    }
  }
}

void Write(Level level, std::string_view msg, std::initializer_list<Field> fields) {
  std::string line;
  if (CurrentFormat() == Format::kText) {
    line = "syncserver: ";
    line += msg;
    for (const Field& f : fields) {
      line += ' ';
      line += f.key;
      line += '=';
      line += f.text;
    }
  } else {
    line = JsonStart(level, msg);
    for (const Field& f : fields) AppendField(line, f.key, f.text, f.number);
    line += '}';
  }
  WriteLine(line);
}

void Request(const RequestLine& r) {
  std::string line;
  char ms[32];
  if (CurrentFormat() == Format::kText) {
    std::snprintf(ms, sizeof ms, " %d %.1fms", r.status, r.duration_ms);
    line.append(r.method).append(" ").append(r.uri).append(ms);
    if (!r.failure.empty()) line.append(" error: ").append(r.failure);
  } else {
    line = JsonStart(r.failure.empty() ? Level::kInfo : Level::kError, "request");
    AppendField(line, "method", r.method, false);
    AppendField(line, "route", r.route, false);
    AppendField(line, "status", std::to_string(r.status), true);
    std::snprintf(ms, sizeof ms, "%.3f", r.duration_ms);
    AppendField(line, "duration_ms", ms, true);
    AppendField(line, "client", r.client, false);
    if (t_request.active && !t_request.user.empty())
      AppendField(line, "user_id", t_request.user, false);
    if (!r.failure.empty()) AppendField(line, "error", r.failure, false);
    line += '}';
  }
  WriteLine(line);
}

RequestScope::RequestScope(std::string_view request_id) {
  t_request.id.assign(request_id);
  t_request.user.clear();
  t_request.active = true;
}
RequestScope::~RequestScope() {
  t_request.active = false;
  t_request.user.clear();
}

std::string_view CurrentRequestId() {
  return t_request.active ? std::string_view(t_request.id) : std::string_view();
}
void NoteUser(std::string_view user_id) {
  if (t_request.active) t_request.user.assign(user_id);
}
std::string_view CurrentUser() {
  return t_request.active ? std::string_view(t_request.user) : std::string_view();
}

std::string RequestIdFrom(std::string_view header) {
  bool sane = !header.empty() && header.size() <= 64;
  for (char c : header) {
    if (!sane) break;
    sane = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
  }
  if (sane) return std::string(header);
  // Not a secret, only unlikely to repeat: a per-thread generator seeded once.
  thread_local std::mt19937_64 random{std::random_device{}()};
  char id[17];
  std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(random()));
  return id;
}

}  // namespace q11::server::log
