#include "http/client_address.h"

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/String.h>
#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <optional>

#include "http/handler_context.h"

namespace q11::server {
namespace {

struct Address {
  std::array<uint8_t, 16> bytes{};
  bool v6 = false;
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// An IPv4 or IPv6 address in text; an IPv4-mapped IPv6 address becomes its IPv4 one.
std::optional<Address> ParseAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string s(text);
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) != 1) return std::nullopt;
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(a.bytes.data(), kMapped, sizeof kMapped) == 0) {
    std::memmove(a.bytes.data(), a.bytes.data() + 12, 4);
    std::memset(a.bytes.data() + 4, 0, 12);
    return a;
  }
  a.v6 = true;
  return a;
}

std::string ToText(const Address& a) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(a.v6 ? AF_INET6 : AF_INET, a.bytes.data(), buf, sizeof buf);
  return buf;
}

bool PrefixMatches(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int i = 0;
  for (; bits >= 8; bits -= 8, ++i)
    if (a[i] != b[i]) return false;
  if (bits == 0) return true;
  const uint8_t mask = static_cast<uint8_t>(0xff << (8 - bits));
  return (a[i] & mask) == (b[i] & mask);
}

}  // namespace

Result<TrustedProxies> TrustedProxies::Parse(std::string_view list) {
  TrustedProxies out;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view entry = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (entry.empty()) continue;
    const size_t slash = entry.find('/');
    const std::optional<Address> a = ParseAddress(entry.substr(0, slash));
    if (!a) return InvalidArgument("not an IP address: '" + std::string(entry) + "'");
    Net net{a->bytes, a->v6, a->v6 ? 128 : 32};
    if (slash != std::string_view::npos) {
      const std::string_view digits = entry.substr(slash + 1);
      int bits = -1;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
      if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty() || bits < 0 ||
          bits > net.prefix) {
        return InvalidArgument("not a network prefix: '" + std::string(entry) + "'");
      }
      net.prefix = bits;
    }
    out.nets_.push_back(net);
  }
  return out;
}

bool TrustedProxies::Contains(std::string_view address) const {
  const std::optional<Address> a = ParseAddress(Trim(address));
  if (!a) return false;
  for (const Net& n : nets_)
    if (n.v6 == a->v6 && PrefixMatches(n.bytes, a->bytes, n.prefix)) return true;
  return false;
}

std::string TrustedProxies::ClientOf(std::string_view peer,
                                     const std::vector<std::string>& forwarded_for) const {
  const std::optional<Address> peer_address = ParseAddress(peer);
  std::string client = peer_address ? ToText(*peer_address) : std::string(peer);
  if (!Contains(client)) return client;
  // Right to left over every entry of every header: the last proxy appended last.
  std::vector<std::string_view> entries;
  for (const std::string& header : forwarded_for) {
    std::string_view rest = header;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      entries.push_back(Trim(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    const std::optional<Address> hop = ParseAddress(*it);
    if (!hop) break;  // not an address: keep the trusted hop that wrote it
    client = ToText(*hop);
    if (!Contains(client)) break;
  }
  return client;
}

std::string ClientAddress(const HandlerContext& context,
                          const Poco::Net::HTTPServerRequest& request) {
  const std::string peer = request.clientAddress().host().toString();
  if (context.trusted_proxies == nullptr || context.trusted_proxies->empty()) return peer;
  std::vector<std::string> forwarded;
  for (auto it = request.find("X-Forwarded-For");
       it != request.end() && Poco::icompare(it->first, "X-Forwarded-For") == 0; ++it) {
    forwarded.push_back(it->second);
  }
  return context.trusted_proxies->ClientOf(peer, forwarded);
}

}  // namespace q11::server
