// The device's account with the server: log in, register, log out. The password is sent
// to the server and never stored; the device keeps the access token, the rotating refresh
// token and their expiry times in its own table (never synced). Sync (sync.h) refreshes
// the access token by itself.
#pragma once

#include <optional>
#include <string>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "protocol/result.h"

namespace q11::device {

// Logs in and stores the account (server URL, tokens, role...) in the device database.
// `server_ca_pem` is the TransportOptions::ca_pem `transport` was made with ("" for the
// system's CA store): stored with the URL, so every later connection trusts the same
// authority. A different user than the last one starts a fresh replica
// (kFailedPrecondition while the previous user still has unsynced changes). Errors:
// kUnauthenticated (wrong name or password), kUnavailable (server unreachable),
// kFailedPrecondition (also: the server's certificate was refused; nothing was sent),
// kDataLoss (malformed answer).
Result<Account> Login(Database& db, Transport& transport, const std::string& server_url,
                      const std::string& name, const std::string& password,
                      const std::string& server_ca_pem = {});

struct Registration {
  std::string name;      // 3-64 characters of [a-z0-9._-]
  std::string password;  // 8-1024 bytes
  // The server keeps them (encrypted) and this device keeps a copy for its user only;
  // never in the synced tables. Empty: not given.
  std::string phone;  // 8-15 of digits and '+'
  std::string email;  // has an '@' with something on both sides
};

// The server's rules for a new account, checked before anything is sent, so a typo is
// answered offline. kInvalidArgument naming the field, in Vietnamese and English.
Status ValidateRegistration(const Registration& r);

// Creates a citizen account on the server and stores it like Login (`server_ca_pem` too).
// Errors: those of ValidateRegistration, kAlreadyExists (the name is taken),
// kResourceExhausted (rate limited; the message carries the Retry-After), kInvalidArgument
// (the server refused the input), kUnavailable, kFailedPrecondition (the server's
// certificate was refused), kDataLoss.
Result<Account> Register(Database& db, Transport& transport, const std::string& server_url,
                         const Registration& registration, const std::string& server_ca_pem = {});

struct LogoutResult {
  bool server_told = false;  // false: offline (or refused); the tokens are forgotten anyway
  std::string note;          // why the server was not told, "" when it was
};

// Tells the server to revoke the refresh token (POST /v1/logout, one attempt: logging out
// must not hang on a dead network), then forgets the tokens on the device whatever the
// server said. Local data and the outbox stay. kNotFound when nobody is logged in.
Result<LogoutResult> Logout(Database& db, Transport& transport);

}  // namespace q11::device
