#include "sync/workflow.h"

#include "protocol/workflow.h"

namespace q11::server {

bool TransitionAllowed(Role role, std::string_view from, std::string_view to) {
  if (from == to) return true;
  return workflow::TransitionAllowed(RoleName(role), from, to);
}

std::string AllowedNext(Role role, std::string_view from) {
  return workflow::AllowedNext(RoleName(role), from);
}

}  // namespace q11::server
