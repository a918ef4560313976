// Who is syncing: an account of the server and its role.
//
// Roles decide what a device may write (syncserver/src/sync/push/change_validator.cc) and which
// change-log audiences it reads (syncserver/src/sync/access_scope.cc). An official is bound to
// one unit (a ward, the district or a department); citizens are known to officials only by
// their pseudonymous reporter_ref, never by name.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace q11::server {

enum class Role { kCitizen, kOfficial, kLeader, kAdmin };

// "citizen", "official", "leader", "admin".
std::string_view RoleName(Role role);
std::optional<Role> ParseRole(std::string_view name);

struct Account {
  std::string id;    // UUIDv7, made by the server
  std::string name;  // login name, unique
  Role role = Role::kCitizen;
  std::string unit;          // units.id for officials, empty otherwise
  std::string reporter_ref;  // pseudonym ("cd-" + 12 base32 chars) stamped on their reports
  std::string created_at;    // ISO-8601 UTC
  bool disabled = false;
};

// An account with its password verifier, as stored.
struct StoredAccount {
  Account account;
  std::string pw_hash;  // PBKDF2-HMAC-SHA256 output, raw bytes
  std::string salt;     // raw bytes
  int iterations = 0;
};

}  // namespace q11::server
