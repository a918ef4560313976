// Reads an untrusted changeset into plain values with the session iterator only
// (sqlite3changeset_start/next/op/pk/old/new), never with sqlite3changeset_apply.
//
// Why: a changeset from a phone is hostile input, and SQLite's apply path trusts its
// table headers: Debian's 3.40.1 overflows the heap on the 242-byte changeset of
// upstream's ext/session/sessioncorrupt.test, whose second header re-declares a table
// with 64 columns. Walking with the iterator and refusing a table that appears twice with
// different shapes keeps such bytes away from the apply code altogether. The iterator
// itself is trusted only after CheckChangesetFraming (changeset_framing.h) has checked
// every length and terminator: on 3.40.1 it loops forever on an unterminated table name.
// The header checks are the ones devices run on their pulls (q11sqlite/
// changeset_shape_check.h); the validator then checks each table against the live schema.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.h"
#include "sync/sql_value.h"

namespace q11::server {

struct RowChange {
  int op = 0;  // SQLITE_INSERT, SQLITE_UPDATE or SQLITE_DELETE
  // One Value per column. INSERT: new_values only; DELETE: old_values only; UPDATE: old
  // holds the primary key and the base of each changed column, new the changed columns
  // (kUndefined where unchanged).
  std::vector<Value> old_values;
  std::vector<Value> new_values;
  // Set when the server replaced a value the device sent (server_stamps.h): the stored row
  // then differs from the device's copy, so the change is never an echo (row_merger.h).
  bool server_stamped = false;
  // For a stamped INSERT: the columns the server changed, with the values the device sent
  // (and still holds). A pull by that device then carries only those columns back.
  std::vector<std::pair<int, Value>> sent;
};

// The changes of one table header in the changeset.
struct TableChanges {
  std::string table;
  int column_count = 0;
  std::vector<bool> pk;  // per column, as the changeset declares it
  std::vector<RowChange> rows;
};

struct DecodedChangeset {
  std::vector<TableChanges> tables;  // in changeset order
  size_t row_count = 0;
};

// kInvalidArgument for malformed bytes, an empty table name, an unknown operation, or a
// table declared twice with different column counts or key layouts (messages name the
// table). An empty changeset decodes to no tables.
Result<DecodedChangeset> ReadChangeset(std::string_view bytes);

}  // namespace q11::server
