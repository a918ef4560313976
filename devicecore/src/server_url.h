// server_url: what a server URL may be. HTTPS to any host; plain HTTP only to this machine
// (127.0.0.0/8, ::1, localhost), where nothing crosses a network. Decided from the URL's
// text alone, before any name lookup, so a refused URL makes no traffic at all.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::device {

struct ServerUrl {
  bool tls = false;    // https://
  std::string host;    // as written, without IPv6 brackets ("::1")
  uint16_t port = 0;   // the scheme's default when the URL names none
  std::string prefix;  // the URL's path without a trailing slash ("" for the root)
};

// kInvalidArgument, in Vietnamese and English: not http(s), no host, or plain http to a
// host other than a loopback address.
Result<ServerUrl> ParseServerUrl(const std::string& url);

// 127.0.0.0/8, ::1 or "localhost" (any case, with or without a final dot), by the text only.
bool IsLoopbackHost(std::string_view host);

}  // namespace q11::device
