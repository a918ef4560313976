// The check every pulled changeset passes before SQLite's apply sees it: the same table
// header checks the server runs on pushes (q11sqlite/changeset_shape_check.h), against
// this device's live schema and its list of synced tables.
//
// Why: a pull comes from the network. A hostile or broken server, or anyone on the path of
// a plain-HTTP connection, could send the attack of SQLite's sessioncorrupt.test (a synced
// table declared again with 64 columns), which overflows Debian's SQLite 3.40.1 heap
// inside sqlite3changeset_apply, or rows of tables the device does not sync. Refused bytes fail
// the sync with nothing applied (the caller's transaction rolls back); the outbox and the
// cursor stay as they were, so the next good pull works.
#pragma once

#include <string_view>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::device {

// OK when `changeset` may be applied to `db`. kDataLoss naming the table and the problem
// ("... / ..." in English and Vietnamese) when it may not; other codes when the schema
// could not be read. Writes nothing. An empty changeset is OK.
Status CheckPulledChangeset(sql::Db& db, std::string_view changeset);

}  // namespace q11::device
