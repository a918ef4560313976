// The declared rules that settle a real conflict: a column the device and the server both
// changed, to different values, since the device's base. docs/ lists them; what no rule
// settles is parked for an admin (syncserver/src/conflict_log.h) and the server keeps its
// value meanwhile.
//
// Rules:
//   reports.updated_at   the later time wins. It is bookkeeping that every edit touches,
//                        so without this rule any two edits of a report, even of
//                        different columns, would park each other.
#pragma once

#include <optional>
#include <string_view>

#include "sql_value.h"

namespace q11::server {

// The settled value, or nullopt when no rule applies (park it).
std::optional<Value> SettleConflict(std::string_view table, std::string_view column,
                                    const Value& base, const Value& device, const Value& server);

}  // namespace q11::server
