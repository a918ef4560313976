#include "conflict_rules.h"

#include <array>

#include "protocol/ids.h"

namespace q11::server {
namespace {

// Position on the main workflow path, or -1 (rejected, unknown).
int WorkflowStep(std::string_view status) {
  static constexpr std::array<std::string_view, 6> kPath = {"new",         "accepted", "assigned",
                                                            "in_progress", "resolved", "closed"};
  for (size_t i = 0; i < kPath.size(); ++i)
    if (kPath[i] == status) return static_cast<int>(i);
  return -1;
}

std::optional<Value> LaterTimeWins(const Value& device, const Value& server) {
  std::optional<int64_t> d = ParseUtc(device.text()), s = ParseUtc(server.text());
  if (d && s) return *d > *s ? device : server;
  if (d) return device;
  return server;
}

std::optional<Value> StatusPrecedence(const ConflictSides& c) {
  if (!c.device.is_text() || !c.server.is_text()) return std::nullopt;
  // A citizen's reopening (checked against the reopen period by the write rules) wins over
  // a result that was closed meanwhile; against any other status officials moved on to,
  // the case is already being handled again: the server keeps its status.
  if (c.device.text() == "reopened" && c.device_role == Role::kCitizen) {
    if (c.server.text() == "resolved" || c.server.text() == "closed") return c.device;
    return c.server;
  }
  if (c.server.text() == "closed") {
    // Closing is final for officials; only a leader (or an admin) reopens a case.
    if (c.device_role == Role::kLeader || c.device_role == Role::kAdmin) return c.device;
    return c.server;
  }
  int d = WorkflowStep(c.device.text()), s = WorkflowStep(c.server.text());
  if (d < 0 || s < 0) return std::nullopt;  // rejected (or unknown) against the main path
  return d > s ? c.device : c.server;
}

}  // namespace

std::optional<Value> SettleConflict(const ConflictSides& c) {
  if (c.table != "reports") return std::nullopt;
  if (c.column == "updated_at") return LaterTimeWins(c.device, c.server);
  if (c.column == "status") return StatusPrecedence(c);
  return std::nullopt;
}

}  // namespace q11::server
