#include "server_url.h"

#include <Poco/Exception.h>
#include <Poco/String.h>
#include <Poco/URI.h>
#include <arpa/inet.h>

namespace q11::device {

bool IsLoopbackHost(std::string_view host) {
  std::string h(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  if (Poco::icompare(h, "localhost") == 0) return true;
  // inet_pton reads only dotted quads and IPv6 text, never a name: no lookup can start here.
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
  return false;
}

Result<ServerUrl> ParseServerUrl(const std::string& url) {
  ServerUrl out;
  try {
    Poco::URI uri(url);
    std::string scheme = Poco::toLower(uri.getScheme());
    if (scheme != "https" && scheme != "http")
      return InvalidArgument(
          "địa chỉ máy chủ phải bắt đầu bằng https:// / the server URL must start with https:// "
          "(got \"" +
          url + "\")");
    out.tls = scheme == "https";
    out.host = uri.getHost();
    if (out.host.empty())
      return InvalidArgument("địa chỉ máy chủ thiếu tên máy / the server URL has no host: " + url);
    out.port = uri.getPort();
    out.prefix = uri.getPath();
  } catch (const Poco::Exception& e) {
    return InvalidArgument("địa chỉ máy chủ không hợp lệ / bad server URL \"" + url +
                           "\": " + e.displayText());
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
