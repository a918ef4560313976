#include "server_url.h"

#include <arpa/inet.h>

#include <cctype>

namespace q11::device {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

Status BadUrl(const std::string& url, const std::string& why) {
  return InvalidArgument("địa chỉ máy chủ không hợp lệ / bad server URL \"" + url + "\": " + why);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

bool IsLoopbackHost(std::string_view host) {
  std::string h(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  if (Lower(h) == "localhost") return true;
  // inet_pton reads only dotted quads and IPv6 text, never a name: no lookup can start here.
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

// scheme "://" [userinfo "@"] host [":" port] [path] ["?" query] ["#" fragment] (RFC 3986),
// host either a name, a dotted quad or "[" IPv6 "]". Query and fragment are ignored.
Result<ServerUrl> ParseServerUrl(const std::string& url) {
  ServerUrl out;
  const size_t colon = url.find(':');
  const std::string scheme = colon == std::string::npos ? "" : Lower(url.substr(0, colon));
  if ((scheme != "https" && scheme != "http") || url.compare(colon + 1, 2, "//") != 0)
    return InvalidArgument(
        "địa chỉ máy chủ phải bắt đầu bằng https:// / the server URL must start with https:// "
        "(got \"" +
        url + "\")");
  out.tls = scheme == "https";
  for (unsigned char c : url)
    if (c <= 0x20 || c == 0x7f) return BadUrl(url, "it contains a space or a control character");
  const size_t authority_start = colon + 3;
  const size_t authority_end = url.find_first_of("/?#", authority_start);
  std::string_view authority = std::string_view(url).substr(
      authority_start,
      authority_end == std::string::npos ? std::string::npos : authority_end - authority_start);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) return BadUrl(url, "an IPv6 address without its ']'");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') return BadUrl(url, "text after the IPv6 address");
    if (!rest.empty()) port_text = rest.substr(1);
  } else {
    const size_t port_colon = authority.find(':');
    out.host = std::string(authority.substr(0, port_colon));
    if (port_colon != std::string_view::npos) port_text = authority.substr(port_colon + 1);
  }
  if (out.host.empty())
    return InvalidArgument("địa chỉ máy chủ thiếu tên máy / the server URL has no host: " + url);
  // No port, or port 0: the scheme's own.
  unsigned port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9') return BadUrl(url, "the port is not a number");
    port = port * 10 + static_cast<unsigned>(c - '0');
    if (port > 65535) return BadUrl(url, "the port is past 65535");
  }
  out.port = static_cast<uint16_t>(port != 0 ? port : out.tls ? 443 : 80);
  if (authority_end != std::string::npos && url[authority_end] == '/') {
    const size_t path_end = url.find_first_of("?#", authority_end);
    const std::string_view path = std::string_view(url).substr(
        authority_end,
        path_end == std::string::npos ? std::string::npos : path_end - authority_end);
    // The path as text: %XX escapes decoded (requests put it back on the wire encoded).
    for (size_t i = 0; i < path.size(); ++i) {
      if (path[i] != '%') {
        out.prefix += path[i];
        continue;
      }
      const int hi = i + 2 < path.size() ? HexValue(path[i + 1]) : -1;
      const int lo = hi >= 0 ? HexValue(path[i + 2]) : -1;
      if (lo < 0) return BadUrl(url, "a '%' in the path without two hex digits");
      out.prefix += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  // Tokens, passwords and citizens' reports in clear text would be readable by anyone on
  // the path (a café's Wi-Fi, the carrier): only this machine may be spoken to without TLS.
  if (!out.tls && !IsLoopbackHost(out.host))
    return InvalidArgument(
        "cần HTTPS: chỉ được dùng http:// với máy này (127.0.0.1, localhost) "
        "/ HTTPS is needed: http:// is accepted only for this machine "
        "(127.0.0.1, ::1, localhost), not " +
        out.host + "; use https://" + out.host);
  while (!out.prefix.empty() && out.prefix.back() == '/') out.prefix.pop_back();
  return out;
}

}  // namespace q11::device
