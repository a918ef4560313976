// Whether this server should be sent traffic now (GET /readyz), as a load balancer or an
// orchestrator asks: its database takes a write, and the data folder's disk has room above
// a floor. /healthz says only that the process answers.
//
// The write is a real one (a no-op UPDATE of the schema version, through the store's
// writer, in a group's transaction like any other write): a read-only or full disk, a lost
// PostgreSQL connection or a lock that never comes all show up as failures.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "protocol/result.h"
#include "store/db_writer.h"

namespace q11::server {

struct ReadyReport {
  bool ready = false;
  bool database_ok = false;
  int64_t free_bytes = -1;           // on the data folder's file system; -1: unknown
  std::vector<std::string> reasons;  // why not ready (English, Vietnamese)
};

class Readiness {
 public:
  // Bytes free on the file system holding `dir`; a Status when it cannot be read.
  using FreeSpace = std::function<Result<int64_t>(const std::string& dir)>;

  // REQUIRES: `writer` outlives this. `free_space` empty: statvfs.
  Readiness(DbWriter& writer, std::string data_dir, int64_t min_free_bytes,
            FreeSpace free_space = {});

  ReadyReport Check();

 private:
  DbWriter& writer_;
  const std::string data_dir_;
  const int64_t min_free_bytes_;
  const FreeSpace free_space_;
};

// statvfs of `dir`: the bytes an unprivileged process may still write.
Result<int64_t> FreeBytesOn(const std::string& dir);

}  // namespace q11::server
