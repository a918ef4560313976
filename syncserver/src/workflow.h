// The case workflow: which status changes each role may make, declared in one table
// (workflow.cc) and checked by the write rules (change_validator.cc) for every pushed
// UPDATE of reports.status, from the device's old value (its base) to its new value.
//
//   new          → accepted | rejected | in_progress   official, leader, admin
//   accepted     → in_progress | rejected              official, leader, admin
//   in_progress  → resolved                            official, leader, admin
//   resolved     → closed | in_progress (reopen)       official, leader, admin
//   rejected     → accepted                            leader, admin
//   closed       → in_progress                         leader, admin
//
// new → in_progress is allowed: a field officer who starts work at once (the benchmark's
// scenario C). Citizens never change a status. Whether a transition still fits the
// server's current status (another official moved it meanwhile) is the merge's question,
// not this one (docs/conflicts.md).
#pragma once

#include <string>
#include <string_view>

#include "syncserver/account.h"

namespace q11::server {

// True when `role` may move a report from status `from` to status `to`. A status left
// unchanged (from == to) is always allowed.
bool TransitionAllowed(Role role, std::string_view from, std::string_view to);

// The statuses `role` may move a report to from `from`, comma-separated ("none" if none).
std::string AllowedNext(Role role, std::string_view from);

}  // namespace q11::server
