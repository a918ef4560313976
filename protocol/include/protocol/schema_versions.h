// The versions of the synced tables' shape, so that an app upgrade keeps the work queued
// offline (docs/protocol.md, "Schema versions and upgrades").
//
// A changeset carries rows by column position, and columns are only ever added at the end
// of a table (protocol/schema/synced_tables.sql), so a version is fully described by how
// many columns each synced table had. A device records the version each outbox entry was
// captured under and declares its own in every request; the server accepts entries of
// every version from kOldestSyncedSchemaVersion on (the columns added later take their
// defaults), and builds an older device's pull in that device's version. Older than the
// cut-off is refused with a message asking to update the app; nothing on the phone is
// lost. Pure code.
//
//   version 1  units 5, categories 5, reports 15, case_events 9, photos 11 columns
//   version 2  the case life: categories 8 (level, deadline_amount, deadline_unit),
//              reports 20 (receipt_code, received_at, expected_at, resolved_at,
//              duplicate_of), case_events 10 (stars)
//   version 3  holidays (3) and response_templates (4) travel: the server publishes them
//              like units and categories (docs/units.md). A version 1 or 2 app has the
//              tables (compiled in) but would refuse a pull naming them, so its pull
//              leaves them out and it keeps its compiled copy.
#pragma once

#include <string_view>

namespace q11::schema {

// The version of protocol/schema/synced_tables.sql in this build.
inline constexpr int kSyncedSchemaVersion = 3;
// The oldest version the server still accepts (pushes) and serves (pulls). Raising it is the
// declared cut-off; until then older apps get a notice with every sync (SyncResponse::notice).
inline constexpr int kOldestSyncedSchemaVersion = 1;

// Columns of synced table `table` in `version`; 0 for a table that is not synced or a
// version that is not known.
int ColumnsIn(std::string_view table, int version);

// The version in which `table` has exactly `columns` columns (the newest one when several
// versions share that count), or 0 when none does.
int VersionWithColumns(std::string_view table, int columns);

// True when `version` is between the cut-off and this build's version.
inline bool IsSupportedSchemaVersion(int version) {
  return version >= kOldestSyncedSchemaVersion && version <= kSyncedSchemaVersion;
}

}  // namespace q11::schema
