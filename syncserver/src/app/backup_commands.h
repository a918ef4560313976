// Backing up a running server and restoring it (docs/backup.md):
//   syncserver backup  --data=DIR --to=BACKUP [--force]
//   syncserver restore --from=BACKUP --data=DIR
// A backup is a folder: syncserver.db (one consistent snapshot, online_backup.h), the
// keys, the complete photo files, and MANIFEST. A restore installs it on a stopped server
// (the data folder's lock, data_dir_lock.h) and gives the database a new epoch, so
// devices re-pull from zero and push again what the backup lacks.
// SQLite only: on PostgreSQL both point to pg_dump / pg_basebackup. Exit codes: 0 done,
// 1 refused or failed (the message says why), 2 usage error.
#pragma once

namespace q11::server {

int RunBackupCommand(int argc, char** argv);   // argv[1] == "backup"
int RunRestoreCommand(int argc, char** argv);  // argv[1] == "restore"

}  // namespace q11::server
