// The case workflow for the server's write rules: the table itself is declared once for
// both sides in protocol/workflow.h (docs/workflow.md); these adapt it to the server's Role.
// change_validator.cc checks every pushed UPDATE of reports.status against it, from the
// device's old value (its base) to its new value. Whether a transition still fits the
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
