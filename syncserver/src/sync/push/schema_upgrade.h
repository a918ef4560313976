// Brings a pushed changeset captured under an older synced schema version up to the live
// tables' shapes, so that an app upgrade never strands the work a phone queued offline
// (protocol/schema_versions.h, docs/protocol.md "Schema versions and upgrades").
//
// Columns are only ever added at the end of a table. A table whose column count is that of
// a supported older version gets the missing columns: an INSERT their defaults (the
// DEFAULT clause, else NULL: the columns added so far are all server-stamped or optional),
// an UPDATE or DELETE "not in this change" (undefined) — the merge then neither changes
// them nor compares them. The validator then judges the change as if it had been captured
// today. Runs after ReadChangeset, before ValidateChangeset.
#pragma once

#include <cstdint>

#include "protocol/result.h"
#include "sync/push/changeset_reader.h"
#include "sync/table_shapes.h"

namespace q11::server {

// `declared`: the version the device says the entry was captured under (0: not declared;
// then each table's column count tells). A refusal (kFailedPrecondition) when the entry's
// version is older than the cut-off or newer than this server, or when a table's column
// count does not fit the declared version. A table whose count fits no version is left
// as it is, for the validator's shape check to refuse.
Status UpgradeToLiveShapes(DecodedChangeset* changeset, const TableShapes& shapes,
                           uint16_t declared);

}  // namespace q11::server
