#include "server_stamps.h"

#include "protocol/ids.h"

namespace q11::server {
void StampServerColumns(DecodedChangeset* cs, const TableShapes& shapes, const Account& account,
                        const ReferenceData& refs, int64_t now_ms) {
  const std::string author_ref = account.role == Role::kCitizen ? account.reporter_ref : account.id;
  const Value role = Value::Text(RoleName(account.role));
  for (TableChanges& t : cs->tables) {
    const TableShape* shape = shapes.Find(t.table);
    if (shape == nullptr) continue;  // cannot happen after validation
    if (t.table == "reports") {
      const int category = shape->Index("category_id"), due = shape->Index("due_at"),
                ref = shape->Index("reporter_ref");
      for (RowChange& row : t.rows) {
        if (row.op != SQLITE_INSERT) continue;
        int64_t hours = refs.DeadlineHours(row.new_values[category].text()).value_or(0);
        row.new_values[due] = Value::Text(FormatUtc(now_ms + hours * 3600 * 1000));
        row.new_values[ref] = Value::Text(account.reporter_ref);
      }
    } else if (t.table == "case_events" || t.table == "photos") {
      const int ref = shape->Index("author_ref"), role_col = shape->Index("author_role");
      for (RowChange& row : t.rows) {
        if (row.op != SQLITE_INSERT) continue;
        row.new_values[ref] = Value::Text(author_ref);
        row.new_values[role_col] = role;
      }
    }
  }
}

bool IsTimeStamped(std::string_view table, std::string_view column) {
  return table == "reports" && column == "due_at";
}

}  // namespace q11::server
