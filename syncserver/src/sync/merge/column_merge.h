// The three-way merge of one pushed UPDATE into the stored row, column by column, on values
// only: no storage, so both engines (and a test) run the very same decision.
//
// For each column the device changed, with `base` the value the device started from:
//   stored == base    → the device's value is taken;
//   stored == device  → nothing to write, both sides made the same change (merged);
//   otherwise         → a real conflict: a declared rule (conflict_rules.h) settles it,
//                       or the stored value stays and the column is parked for an admin.
// A citizen's edit of a report nobody handles any more (`citizen_late`) parks every
// changed column but the status (a reopening merges like staff's) and updated_at.
#pragma once

#include <string>
#include <vector>

#include "sync/sql_value.h"
#include "sync/table_shapes.h"
#include "syncserver/account.h"

namespace q11::server {

struct ColumnMerge {
  std::vector<int> set;     // columns whose stored value changes
  std::vector<int> parked;  // columns that keep the stored value, for an admin
  bool merged = false;      // a column was already equal, or a rule settled it
  // Every changed column's base equals the stored value: the row ends as the device holds
  // it (an echo the device need not be sent back).
  bool as_sent = true;
  struct Overruled {
    int column;
    std::string why_en, why_vi;  // the rule's words, when it kept the server's value
  };
  std::vector<Overruled> settled;  // columns a rule decided, with its reason (may be empty)
};

// Merges `device` (new values; undefined = not changed) over `*row` (the stored row),
// given the device's `base` (its old values). Writes the merged values into *row.
// `status_column`/`updated_column`: the report's status and updated_at, or -1.
ColumnMerge MergeColumns(const TableShape& shape, const std::vector<Value>& base,
                         const std::vector<Value>& device, Role role, bool citizen_late,
                         int status_column, int updated_column, std::vector<Value>* row);

}  // namespace q11::server
