// Creating accounts and checking passwords, on top of the Store. Shared by the command
// line (`syncserver user add`, `seed-demo`) and the login endpoint, so both apply the same
// rules: names unique and sane, roles known, officials bound to an existing unit, reporter
// pseudonyms random and never derived from the name.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "auth/password_hash.h"
#include "protocol/result.h"
#include "syncserver/account.h"
#include "syncserver/store.h"

namespace q11::server {

struct NewAccount {
  std::string name;
  std::string password;
  Role role = Role::kCitizen;
  std::string unit;  // required for officials, ignored (must be empty) otherwise
};

// kInvalidArgument for a bad name/password/unit, kAlreadyExists for a taken name.
// `before_store`, when given, runs with the complete account (its id chosen) after every
// check and before the account is stored; its error stops the creation. Sign-up stores the
// contact there, so an account never exists without the contact it was given.
Result<Account> CreateAccount(AccountStore& store, const NewAccount& request, int64_t now_ms,
                              int iterations = kPasswordIterations,
                              const std::function<Status(const Account&)>& before_store = {});

// kUnauthenticated for an unknown name or wrong password (same message for both, and the
// same work: a missing account still costs one hash), kPermissionDenied for a disabled one.
Result<Account> Authenticate(AccountStore& store, std::string_view name, std::string_view password);

// "cd-" + 12 random base32 characters.
std::string NewReporterRef();

}  // namespace q11::server
