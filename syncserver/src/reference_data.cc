#include "reference_data.h"

namespace q11::server {

Result<ReferenceData> ReferenceData::Load(sql::Db& db) {
  ReferenceData out;
  Result<sql::Statement> units = db.Prepare("SELECT id, kind FROM units");
  if (!units.ok()) return units.status();
  for (;;) {
    Result<bool> row = units->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.units_.emplace(units->Text(0), units->Text(1));
  }
  Result<sql::Statement> cats = db.Prepare("SELECT id, deadline_hours FROM categories");
  if (!cats.ok()) return cats.status();
  for (;;) {
    Result<bool> row = cats->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.deadlines_.emplace(cats->Text(0), cats->Int(1));
  }
  return out;
}

bool ReferenceData::IsWard(std::string_view id) const {
  auto it = units_.find(id);
  return it != units_.end() && it->second == "ward";
}

std::optional<int64_t> ReferenceData::DeadlineHours(std::string_view category) const {
  auto it = deadlines_.find(category);
  if (it == deadlines_.end()) return std::nullopt;
  return it->second;
}

}  // namespace q11::server
