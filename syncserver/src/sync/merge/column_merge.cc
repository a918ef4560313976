#include "sync/merge/column_merge.h"

#include "sync/merge/conflict_rules.h"

namespace q11::server {

ColumnMerge MergeColumns(const TableShape& shape, const std::vector<Value>& base,
                         const std::vector<Value>& device, Role role, bool citizen_late,
                         int status_column, int updated_column, std::vector<Value>* row) {
  ColumnMerge out;
  out.as_sent = !citizen_late;
  for (size_t i = 0; i < device.size() && i < row->size(); ++i) {
    const Value& mine = device[i];
    if (!mine.defined()) continue;
    const int col = static_cast<int>(i);
    Value& server = (*row)[i];
    if (!SameValue(server, base[i])) out.as_sent = false;
    // A citizen's reopening (status) is not an edit of the case: it merges like staff's.
    if (citizen_late && col != status_column) {
      if (col != updated_column && !SameValue(server, mine)) out.parked.push_back(col);
      continue;
    }
    if (SameValue(server, base[i])) {
      if (!SameValue(server, mine)) {
        server = mine;
        out.set.push_back(col);
      }
      continue;
    }
    if (SameValue(server, mine)) {
      out.merged = true;  // both sides made the same change
      continue;
    }
    ConflictSides sides{shape.name, shape.columns[i], base[i], mine, server, role};
    if (std::optional<Settlement> settled = SettleConflict(sides)) {
      out.merged = true;
      if (!settled->why_en.empty()) out.settled.push_back({col, settled->why_en, settled->why_vi});
      if (!SameValue(server, settled->value)) {
        server = std::move(settled->value);
        out.set.push_back(col);
      }
      continue;
    }
    out.parked.push_back(col);
  }
  return out;
}

}  // namespace q11::server
