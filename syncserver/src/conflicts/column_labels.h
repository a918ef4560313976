// Readable names of the synced columns a conflict may be about, for people (the admin
// console, `syncserver conflicts ... --json`): Vietnamese and English, and the kind of value
// each holds, so the console offers the right choice (a list of units or wards, a status, a
// time) instead of a free text field.
#pragma once

#include <string_view>

namespace q11::server {

struct ColumnLabel {
  std::string_view vi, en;
  // text | number | status | unit (any unit) | ward (a ward only) | category | time
  std::string_view kind;
};

// The label of `table`.`column`; for a column it does not know, the column's own name
// (both languages) and kind "text".
ColumnLabel LabelOf(std::string_view table, std::string_view column);

}  // namespace q11::server
