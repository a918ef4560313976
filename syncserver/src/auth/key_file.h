// Secret keys kept as hex in a file of the data folder (mode 0600), made on first use:
// the token signing key (jwt.key) and the contact encryption key (contact.key). Keeping
// them outside the database file means a copied or leaked syncserver.db alone reveals
// nothing they protect.
#pragma once

#include <cstddef>
#include <string>

#include "protocol/result.h"

namespace q11::server {

// Reads the raw key from `path`, or makes `bytes` random bytes and writes them there
// (O_EXCL, mode 0600, fsync) when the file is missing. kFailedPrecondition for a file
// that does not hold at least `bytes` bytes of hex; kUnavailable for I/O errors.
Result<std::string> LoadOrCreateKey(const std::string& path, size_t bytes);

}  // namespace q11::server
