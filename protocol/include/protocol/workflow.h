// The case workflow, declared once for both sides (docs/workflow.md): which status changes
// each role may make, and the few numbers the rules around it use. The server's write
// rules check every pushed status change against it (syncserver/src/sync/workflow.h); devices
// use it to refuse a step early and to tell the user what is possible.
//
//   new          → accepted | rejected | duplicate | in_progress      staff
//   accepted     → assigned | in_progress | rejected | duplicate      staff
//   assigned     → in_progress | rejected | duplicate                 staff
//   in_progress  → resolved | assigned                                staff
//   resolved     → closed | in_progress                               staff
//   resolved     → reopened                                           citizen (their own
//                                                                     report, within the
//                                                                     reopen period), leaders
//   closed       → reopened                                           citizen (same), leaders
//   closed       → in_progress                                        leaders
//   reopened     → assigned | in_progress | resolved                  staff
//   rejected, duplicate → accepted                                    leaders
//
// staff = official, leader, admin; leaders = leader, admin. A status left unchanged is
// always allowed. Pure code: no I/O, no clock.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace q11::workflow {

// Every status, in the order of the main path first.
inline constexpr std::array<std::string_view, 9> kStatuses = {
    "new",    "accepted", "assigned",  "in_progress", "resolved",
    "closed", "rejected", "duplicate", "reopened"};

// A citizen may reopen a resolved (or already closed) case this long after the server
// recorded it resolved (reports.resolved_at).
inline constexpr int64_t kReopenPeriodMs = 7LL * 24 * 3600 * 1000;
inline constexpr int kReopenPeriodDays = 7;

// Ratings of a result: 1 (bad) to 5 (very good) stars.
inline constexpr int kMinStars = 1, kMaxStars = 5;

bool IsStatus(std::string_view status);

// True when `role` ("citizen", "official", "leader", "admin") may move a report from
// `from` to `to`. Other conditions (the citizen's ownership and period, the official's
// unit, an overdue case's new date) are checked by the server's write rules.
bool TransitionAllowed(std::string_view role, std::string_view from, std::string_view to);

// The statuses `role` may move a report to from `from`, comma-separated ("none" if none).
std::string AllowedNext(std::string_view role, std::string_view from);

// Still being handled: its deadline runs (new, accepted, assigned, in_progress, reopened).
bool IsOpen(std::string_view status);

// Statuses that finish the handling: a change to them is allowed even when the case is
// overdue (resolved, rejected, duplicate, closed).
bool Finishes(std::string_view status);

// Vietnamese and English names for people (the public receipt page).
std::string_view StatusNameVi(std::string_view status);
std::string_view StatusNameEn(std::string_view status);

}  // namespace q11::workflow
