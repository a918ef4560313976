// What every Transport shares (devicecore/env.h), whichever implementation is linked: the
// native one (http_transport.cc) or the WebAssembly one (devicecore/wasm/fetch_transport.cc).
#include <string>
#include <string_view>

#include "devicecore/env.h"

namespace q11::device {

namespace {

// ASCII case-insensitive: HTTP header names are ASCII.
bool SameName(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

std::string HttpReply::Header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (SameName(k, name)) return v;
  return "";
}

Result<HttpReply> Transport::Send(const HttpRequest& request) {
  return FailedPrecondition("this transport cannot send " + request.method + " " + request.path);
}

}  // namespace q11::device
