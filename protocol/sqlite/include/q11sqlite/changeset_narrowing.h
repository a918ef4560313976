// Rewrites a changeset for a reader whose tables have fewer columns than the writer's: the
// server's pull for a device still on an older synced schema version
// (protocol/schema_versions.h). Columns are only ever added at the end of a table, so the
// older shape is the first N columns.
//
// Each table keeps its first columns_of(table) columns (its key flags and every record
// cut to them); a table for which columns_of answers 0 is left out; an UPDATE that changed
// only dropped columns is left out (to the older reader nothing changed). The input is
// framing-checked (changeset_framing.h) before SQLite's iterator walks it.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::sql {

// How many columns the reader's `table` has; 0: it has no such table.
using ColumnsOf = std::function<int(std::string_view table)>;

// kInvalidArgument for malformed bytes, or when a table's key column would be cut.
Result<std::string> NarrowChangeset(std::string_view changeset, const ColumnsOf& columns_of);

}  // namespace q11::sql
