// Where Open311 clients' API keys are kept (open311/api_keys.h holds the rules: key
// shape, names, messages). Only a key's SHA-256 is ever stored. The SQLite store
// implements it (table api_keys, store/sqlite/server_schema.h); a server or command gets
// it from the store it opened instead of opening the database file itself.
//
// Thread safety: safe from many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace q11::server {

struct ApiKeyInfo {
  std::string name;
  std::string created_at;  // ISO-8601 UTC
  std::string revoked_at;  // empty while the key is live
};

// What RevokeApiKey found.
struct ApiKeyRevocation {
  enum class Outcome { kRevoked, kUnknown, kAlreadyRevoked } outcome = Outcome::kUnknown;
  std::string revoked_at;  // kAlreadyRevoked: when
};

class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;
  // kAlreadyExists when a key named `name` exists or existed.
  virtual Status InsertApiKey(std::string_view name, std::string_view key_hash,
                              std::string_view created_at) = 0;
  // Every key ever made, by name.
  virtual Result<std::vector<ApiKeyInfo>> ListApiKeys() = 0;
  // Marks the live key `name` revoked at `revoked_at`; an unknown or already revoked key is
  // an outcome, not an error.
  virtual Result<ApiKeyRevocation> RevokeApiKey(std::string_view name,
                                                std::string_view revoked_at) = 0;
  // The name of the live key whose SHA-256 is `key_hash`; nullopt when none.
  virtual Result<std::optional<std::string>> FindLiveApiKey(std::string_view key_hash) = 0;
};

}  // namespace q11::server
