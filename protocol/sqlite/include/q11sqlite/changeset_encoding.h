// Writing the changeset byte format (grammar in changeset_framing.h) by hand: what
// NarrowChangeset re-encodes, and what tests use to make changesets SQLite's session never
// writes (a lying client's).
#pragma once

#include <cstdint>
#include <string>

#include "q11sqlite/sqlite.h"

namespace q11::sql {

// SQLite's varint, as changeset headers and text lengths use it.
void AppendChangesetVarint(std::string* out, uint64_t v);

// One value (`nullptr`: undefined, "not in this change").
void AppendChangesetValue(std::string* out, sqlite3_value* v);

}  // namespace q11::sql
