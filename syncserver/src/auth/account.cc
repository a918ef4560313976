#include "syncserver/account.h"

namespace q11::server {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kCitizen:
      return "citizen";
    case Role::kOfficial:
      return "official";
    case Role::kLeader:
      return "leader";
    case Role::kAdmin:
      return "admin";
  }
  return "citizen";
}

std::optional<Role> ParseRole(std::string_view name) {
  if (name == "citizen") return Role::kCitizen;
  if (name == "official") return Role::kOfficial;
  if (name == "leader") return Role::kLeader;
  if (name == "admin") return Role::kAdmin;
  return std::nullopt;
}

}  // namespace q11::server
