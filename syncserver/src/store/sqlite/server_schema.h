// The server database: the synced tables (shared DDL from protocol/), Quận 11's reference
// data, and the server's own tables:
//   users            accounts (PBKDF2 verifiers, role, unit, reporter pseudonym)
//   devices          which account a device id belongs to (bound on first sync)
//   applied_batches  the verdict of every pushed entry, by (device_id, local_seq)
//   conflicts        columns parked for an admin: base, device and server values
//   row_log          each synced row's latest change-log sequence
//   row_audience     (audience, seq) → row: what each pull reads, by audience
//   scope_sums       per audience: its rows' count and digest sum (sync/changelog/scope_sums.h)
//   api_keys         Open311 clients' keys, as SHA-256 (api_keys.h)
//   meta             last_seq (the change-log counter), schema_version
//   server_epoch     the epoch every sync answer carries, replaced on restore (docs/backup.md)
#pragma once

#include <cstdint>

#include "q11sqlite/sqlite.h"

namespace q11::server {

// Configures the write connection (WAL, synchronous=FULL) and creates/seeds everything
// that is missing. Idempotent.
// What the write-ahead log is cut back to when it starts over after a burst.
inline constexpr int64_t kWalSizeLimitBytes = 16 * 1024 * 1024;

// meta.schema_version of a database this build made or upgraded; a restore refuses a newer one.
inline constexpr int kServerSchemaVersion = 10;

Status PrepareServerDatabase(sql::Db& db);

// Settings for a read-only-use connection to the same file.
Status ConfigureReadConnection(sql::Db& db);

}  // namespace q11::server
