// Authenticated encryption of reporters' contact details at rest: AES-256-GCM (OpenSSL),
// a fresh 96-bit nonce per seal, the account id as associated data so a sealed value
// copied onto another account's row does not open there.
//
// Sealed layout: version byte 1 | 12-byte nonce | ciphertext | 16-byte tag.
//
// Thread safety: immutable after construction; use from any thread.
#pragma once

#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::server {

class ContactCipher {
 public:
  // REQUIRES: key.size() == 32.
  explicit ContactCipher(std::string key) : key_(std::move(key)) {}

  std::string Seal(std::string_view plaintext, std::string_view associated) const;
  // kDataLoss when the value is malformed, was sealed with another key or for another
  // account, or was altered.
  Result<std::string> Open(std::string_view sealed, std::string_view associated) const;

 private:
  std::string key_;
};

}  // namespace q11::server
