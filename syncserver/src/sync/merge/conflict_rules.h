// The declared rules that settle a real conflict: a column the device and the server both
// changed, to different values, since the device's base. This file is the one place they
// live; docs/conflicts.md lists them. What no rule settles is parked for an admin
// (conflict_log.h) and the server keeps its value meanwhile.
//
// Rules:
//   reports.updated_at  the later time wins. It is bookkeeping that every edit touches,
//                       so without this rule any two edits of a report, even of
//                       different columns, would park each other.
//   reports.status      a citizen's `reopened` wins over a server `resolved` or `closed`
//                       (the write rules checked the reopen period) and loses to any
//                       other status. A case the server has `closed` stays closed, unless
//                       the device's user is a leader or an admin (then the device's
//                       status wins: a leader reopening a case). Otherwise, when both
//                       statuses are on the main workflow path new < accepted < assigned <
//                       in_progress < resolved < closed, the one further along wins (the
//                       work was done). `rejected`, `duplicate` or `reopened` against
//                       another status is a judgement call: not settled.
//   anything else       (assigned_unit, due_at, ...) not settled: parked.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sync/sql_value.h"
#include "syncserver/account.h"

namespace q11::server {

struct ConflictSides {
  std::string_view table;
  std::string_view column;
  const Value& base;
  const Value& device;
  const Value& server;
  Role device_role;  // the role of the user whose device pushed the change
};

// How a rule settled a conflict: the value the column takes, and when that is not the
// device's value, why (English and Vietnamese), so the user learns that a rule overrode
// their change (the merged verdict carries it).
struct Settlement {
  Value value;
  std::string why_en, why_vi;  // empty when the device's value won, or for bookkeeping
};

// The settled value, or nullopt when no rule applies (park it).
std::optional<Settlement> SettleConflict(const ConflictSides& sides);

}  // namespace q11::server
