// The device database's schema: the synced tables (protocol's DDL, same as the server),
// the reference data, and the local tables that never travel (outbox, settled_changes,
// device_meta). Versioned with PRAGMA user_version; marked with PRAGMA application_id so a
// stray SQLite file is refused rather than altered.
#pragma once

#include <string>
#include <vector>

#include "devicecore/env.h"
#include "q11sqlite/sqlite.h"

namespace q11::device {

// 2: report_ids on outbox, settled_changes; 3: the case life (receipts, deadlines, ratings)
inline constexpr int kDeviceSchemaVersion = 4;
inline constexpr int32_t kDeviceApplicationId = 0x51313144;  // "Q11D"

// The tables whose changes are captured and pushed (protocol::schema::kSyncedTables).
const std::vector<std::string>& SyncedTableNames();

// Sets the connection's pragmas (WAL, synchronous=FULL), then creates or migrates the
// schema in one transaction. A new database gets the reference data and a fresh UUIDv7
// device id. Errors: kDataLoss (not a device database), kFailedPrecondition (newer schema).
Status PrepareDeviceDatabase(sql::Db& db, Env& env);

// A fresh UUIDv7 from the Env's clock and randomness.
std::string NewId(Env& env);

}  // namespace q11::device
