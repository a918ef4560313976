// The server's data folder and the files in it:
//   syncserver.db    the SQLite database (plus its -wal and -shm files)
//   jwt.key          the token signing key, hex, mode 0600
//   contact.key      the key that seals reporters' contact details (AES-256), hex, 0600
//   syncserver.port  the port the running server listens on (written after binding)
//   photos/          photo bytes by SHA-256 (photo_store.h)
#pragma once

#include <string>

#include "protocol/result.h"

namespace q11::server {

struct DataPaths {
  std::string dir;
  std::string database;
  std::string signing_key;
  std::string contact_key;
  std::string port_file;
  std::string photos;
};

DataPaths PathsFor(const std::string& dir);

// Creates the folder (and missing parents, mode 0700) when it does not exist. Only the
// commands that make a server's data start with it: serve, seed-demo, user add.
Status EnsureDataDir(const std::string& dir);

// For every other command (lists, look-ups, changes to what is there): the folder must
// exist and hold the database. A mistyped --data would otherwise create an empty database
// and answer "nothing found", which reads like the truth. kNotFound names the folder and
// what makes one; kInvalidArgument when `dir` is empty. With `database_url` (the data is
// in PostgreSQL) only the folder must exist.
Status RequireDataDir(const std::string& dir, const std::string& database_url = "");

// Writes `text` to `path` via a temporary file and rename, so a reader never sees half.
Status WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace q11::server
