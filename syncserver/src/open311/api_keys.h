// The keys of Open311 clients (docs/open311.md, "API keys"): a POST of a service request
// needs one (GeoReport v2 `api_key`); reads need none. An admin makes a key with
// `syncserver apikey add` and hands it to one client system (a city portal, a partner
// app); the key is shown once and only its SHA-256 is stored, so a copy of the database
// holds no usable key. A revoked key stays listed (who had one, until when) and its name
// is never given again.
//
// The rules live here (key shape and name, hashing, messages); the keys are kept by an
// ApiKeyStore (store/api_key_store.h), which the store the caller opened implements.
// Thread safety: safe from many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "store/api_key_store.h"

namespace q11::server {

class ApiKeys {
 public:
  // "*store" must outlive this object.
  explicit ApiKeys(ApiKeyStore& store) : store_(store) {}

  // Makes a new key for the client `name` (1-64 characters of a-z A-Z 0-9 . _ -) and
  // returns it in clear: the only time it exists outside the client. kInvalidArgument for
  // a bad name, kAlreadyExists when the name was ever used.
  Result<std::string> Add(std::string_view name, std::string_view now_utc);
  // Every key ever made, by name.
  Result<std::vector<ApiKeyInfo>> List();
  // kNotFound for an unknown name, kFailedPrecondition when already revoked.
  Status Revoke(std::string_view name, std::string_view now_utc);
  // The client name of a live key; nullopt for an unknown or revoked key.
  Result<std::optional<std::string>> Check(std::string_view key);

 private:
  ApiKeyStore& store_;
};

}  // namespace q11::server
