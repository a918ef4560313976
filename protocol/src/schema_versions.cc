#include "protocol/schema_versions.h"

#include <array>

namespace q11::schema {
namespace {

struct TableColumns {
  std::string_view table;
  std::array<int, kSyncedSchemaVersion> columns;  // index: version - 1
};

// One row per synced table; a new version adds a number to every row.
// 0: the table does not travel in that version (its rows are left out of the pull).
constexpr std::array<TableColumns, 7> kHistory = {{
    {"units", {5, 5, 5}},
    {"categories", {5, 8, 8}},
    {"reports", {15, 20, 20}},
    {"case_events", {9, 10, 10}},
    {"photos", {11, 11, 11}},
    {"holidays", {0, 0, 3}},
    {"response_templates", {0, 0, 4}},
}};

}  // namespace

int ColumnsIn(std::string_view table, int version) {
  if (version < 1 || version > kSyncedSchemaVersion) return 0;
  for (const TableColumns& t : kHistory)
    if (t.table == table) return t.columns[version - 1];
  return 0;
}

int VersionWithColumns(std::string_view table, int columns) {
  for (int v = kSyncedSchemaVersion; v >= 1; --v)
    if (ColumnsIn(table, v) == columns && columns > 0) return v;
  return 0;
}

}  // namespace q11::schema
