#include "conflict_rules.h"

#include "protocol/ids.h"

namespace q11::server {

std::optional<Value> SettleConflict(std::string_view table, std::string_view column,
                                    const Value& /*base*/, const Value& device,
                                    const Value& server) {
  if (table == "reports" && column == "updated_at") {
    std::optional<int64_t> d = ParseUtc(device.text()), s = ParseUtc(server.text());
    if (d && s) return *d > *s ? device : server;
    if (d) return device;
    return server;
  }
  return std::nullopt;
}

}  // namespace q11::server
