#include "workflow.h"

namespace q11::server {
namespace {

enum Who { kStaff, kLeaders };  // staff: official, leader, admin; leaders: leader, admin

struct Transition {
  std::string_view from, to;
  Who who;
};

// The one place the workflow lives (docs/security.md, "Workflow").
constexpr Transition kTransitions[] = {
    {"new", "accepted", kStaff},        {"new", "rejected", kStaff},
    {"new", "in_progress", kStaff},     {"accepted", "in_progress", kStaff},
    {"accepted", "rejected", kStaff},   {"in_progress", "resolved", kStaff},
    {"resolved", "closed", kStaff},     {"resolved", "in_progress", kStaff},
    {"rejected", "accepted", kLeaders}, {"closed", "in_progress", kLeaders},
};

bool Covers(Who who, Role role) {
  switch (role) {
    case Role::kLeader:
    case Role::kAdmin:
      return true;
    case Role::kOfficial:
      return who == kStaff;
    case Role::kCitizen:
      return false;
  }
  return false;
}

}  // namespace

bool TransitionAllowed(Role role, std::string_view from, std::string_view to) {
  if (from == to) return true;
  for (const Transition& t : kTransitions)
    if (t.from == from && t.to == to) return Covers(t.who, role);
  return false;
}

std::string AllowedNext(Role role, std::string_view from) {
  std::string allowed;
  for (const Transition& t : kTransitions) {
    if (t.from != from || !Covers(t.who, role)) continue;
    allowed += allowed.empty() ? "" : ", ";
    allowed += t.to;
  }
  return allowed.empty() ? "none" : allowed;
}

}  // namespace q11::server
