#include "sync/merge/conflict_rules.h"

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

// Bookkeeping: no message whichever side wins.
std::optional<Settlement> LaterTimeWins(const Value& device, const Value& server) {
  std::optional<int64_t> d = ParseUtc(device.text()), s = ParseUtc(server.text());
  if (d && s) return Settlement{*d > *s ? device : server};
  if (d) return Settlement{device};
  return Settlement{server};
}

Settlement DeviceWins(const ConflictSides& c) { return Settlement{c.device}; }

// The server's status stays: says which and by which rule.
Settlement ServerKeeps(const ConflictSides& c, std::string_view why_en, std::string_view why_vi) {
  std::string server(c.server.text()), device(c.device.text());
  return Settlement{
      c.server,
      "the server keeps status " + server + ", not your " + device + ": " + std::string(why_en),
      "máy chủ giữ trạng thái " + server + " thay cho " + device +
          " của bạn: " + std::string(why_vi)};
}

std::optional<Settlement> StatusPrecedence(const ConflictSides& c) {
  if (!c.device.is_text() || !c.server.is_text()) return std::nullopt;
  // A citizen's reopening (checked against the reopen period by the write rules) wins over
  // a result that was closed meanwhile; against any other status officials moved on to,
  // the case is already being handled again: the server keeps its status.
  if (c.device.text() == "reopened" && c.device_role == Role::kCitizen) {
    if (c.server.text() == "resolved" || c.server.text() == "closed") return DeviceWins(c);
    return ServerKeeps(c, "officials are already handling the case again",
                       "cán bộ đã tiếp tục xử lý phản ánh");
  }
  if (c.server.text() == "closed") {
    // Closing is final for officials; only a leader (or an admin) reopens a case.
    if (c.device_role == Role::kLeader || c.device_role == Role::kAdmin) return DeviceWins(c);
    return ServerKeeps(c, "the case was closed meanwhile; only a leader reopens a closed case",
                       "phản ánh đã được đóng; chỉ lãnh đạo được mở lại");
  }
  int d = WorkflowStep(c.device.text()), s = WorkflowStep(c.server.text());
  if (d < 0 || s < 0) return std::nullopt;  // rejected (or unknown) against the main path
  if (d > s) return DeviceWins(c);
  return ServerKeeps(c, "another official moved the case further along meanwhile",
                     "cán bộ khác đã xử lý phản ánh tới bước sau hơn");
}

}  // namespace

std::optional<Settlement> SettleConflict(const ConflictSides& c) {
  if (c.table != "reports") return std::nullopt;
  if (c.column == "updated_at") return LaterTimeWins(c.device, c.server);
  if (c.column == "status") return StatusPrecedence(c);
  return std::nullopt;
}

}  // namespace q11::server
