// Who a request comes from, for rate limits, the connection gate and the audit trail: the
// socket's peer, or, when that peer is a reverse proxy the operator named
// (`syncserver serve --trusted-proxy=127.0.0.1,::1`, docs/deploy.md), the address the proxy
// put in X-Forwarded-For. The header is read ONLY when the peer is trusted: a client that
// sends it directly stays who its socket says it is.
//
// Of X-Forwarded-For ("client, proxy1, proxy2": each proxy appends the address it saw) the
// right-most entry that is not itself a trusted proxy is taken; entries further left were
// written by that untrusted party and prove nothing. An entry that is not an IP address
// stops the walk at the trusted hop before it (a misconfigured proxy must not make every
// request anonymous). Thread safety: immutable after Parse.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace Poco::Net {
class HTTPServerRequest;
}

namespace q11::server {

struct HandlerContext;

class TrustedProxies {
 public:
  TrustedProxies() = default;  // none: the peer is always the client

  // A comma-separated list of IPv4/IPv6 addresses or CIDR blocks ("127.0.0.1,::1",
  // "10.0.0.0/8"). kInvalidArgument names the entry that is neither.
  static Result<TrustedProxies> Parse(std::string_view list);

  bool empty() const { return nets_.empty(); }
  // Whether `address` (text; an IPv4-mapped IPv6 address counts as its IPv4 one) is one of
  // the trusted proxies. False for anything that is not an address.
  bool Contains(std::string_view address) const;

  // The client behind `peer` given the request's X-Forwarded-For values in order (several
  // headers are one list). The peer itself when it is not trusted or nothing was
  // forwarded. Addresses come back in canonical text ("::ffff:10.0.0.1" → "10.0.0.1").
  std::string ClientOf(std::string_view peer, const std::vector<std::string>& forwarded_for) const;

 private:
  struct Net {
    std::array<uint8_t, 16> bytes{};
    bool v6 = false;
    int prefix = 0;  // bits
  };
  std::vector<Net> nets_;
};

// The request's client address as above, with the context's trusted proxies (none when
// the context has none).
std::string ClientAddress(const HandlerContext& context,
                          const Poco::Net::HTTPServerRequest& request);

}  // namespace q11::server
