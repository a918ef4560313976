// A consistent copy of a live SQLite database with SQLite's online backup API
// (sqlite3_backup_init/step/finish), for `syncserver backup` (docs/backup.md).
//
// The copy is of one snapshot: the source connection holds a read transaction for the
// whole copy, and in WAL mode a reader blocks no writer, so the server keeps accepting
// pushes meanwhile (its log file grows until the copy ends, as a checkpoint cannot pass
// the reader). The pages go over in steps with a short sleep between them, so the copy
// does not take the disk from the server's writer.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "protocol/result.h"

namespace q11::server {

struct BackupProgress {
  int64_t pages_done = 0;
  int64_t pages_total = 0;
};

struct OnlineBackupOptions {
  int pages_per_step = 256;
  int sleep_ms = 5;
  // Called after each step (pages done/total).
  std::function<void(const BackupProgress&)> progress;
};

// Copies the database at `source` (opened read-only) to the new file `destination`.
// kNotFound when `source` does not exist; kFailedPrecondition when it is not a SQLite
// database; kResourceExhausted when the destination's disk is full.
Result<BackupProgress> CopyLiveDatabase(const std::string& source, const std::string& destination,
                                        const OnlineBackupOptions& options = {});

}  // namespace q11::server
