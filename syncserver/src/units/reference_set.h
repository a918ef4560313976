// A reference set: the units, categories, holidays and response templates an operator
// edits (docs/units.md), and which unit succeeds each unit the set no longer has.
//
// A set is a folder of .sql files run in name order (SQLite's SQL, like samples/hcmc-2025)
// into an empty scratch database holding the synced tables and a `successors (unit_id,
// successor_id)` table, or the name of a set compiled into the server (builtin_sets.h).
// The server publishes it to its database and so to every device (unit_changes.h).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "protocol/schema.h"
#include "sync/sql_value.h"

namespace q11::server {

// The tables a reference set holds, in the order they are published (units before the
// categories that name them): protocol/schema.h's kReferenceTables. All four travel to
// every device under the `ref` audience (sync/access_scope.h); devices may never push them
// (change_validator.cc).
using schema::kReferenceTables;

struct ReferenceSet {
  std::string source;  // the folder or built-in name, for messages
  // Rows by table, each one Value per column in the synced table's column order.
  std::map<std::string, std::vector<std::vector<Value>>, std::less<>> rows;
  // Retired unit → the unit that takes it over.
  std::map<std::string, std::string, std::less<>> successors;
};

// Loads `name_or_dir`: a folder when it holds a '/' or is an existing folder, else a
// built-in set. kInvalidArgument (naming the file and SQLite's message) for a set that does
// not load, kNotFound for an unknown name or a folder without .sql files.
Result<ReferenceSet> LoadReferenceSet(std::string_view name_or_dir);

}  // namespace q11::server
