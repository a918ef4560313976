#include "sync/reference_data.h"

namespace q11::server {
namespace {

// Runs `sql` and hands each row to `row`.
template <typename F>
Status ForEachRow(SqlConn& db, const char* sql, F row) {
  Result<SqlStmt> st = db.Prepare(sql);
  if (!st.ok()) return st.status();
  return EachRow(*st, row);
}

}  // namespace

Result<ReferenceData> ReferenceData::Load(SqlConn& db) {
  ReferenceData out;
  Q11_RETURN_IF_ERROR(ForEachRow(db, "SELECT id, kind, name_vi FROM units", [&](SqlStmt& s) {
    out.units_.emplace(s.Text(0), UnitInfo{s.Text(1), s.Text(2)});
  }));
  Q11_RETURN_IF_ERROR(ForEachRow(
      db,
      "SELECT id, deadline_hours, level, name_vi, name_en, deadline_amount, deadline_unit "
      "FROM categories",
      [&](SqlStmt& s) {
        CategoryInfo c;
        c.deadline_hours = s.Int(1);
        c.level = s.Text(2);
        c.name_vi = s.Text(3);
        c.name_en = s.Text(4);
        c.amount = s.Int(5);
        // An unknown unit counts in working hours, the smaller one: a deadline too soon is
        // noticed, one too late is not.
        c.unit = deadline::ParseUnit(s.Text(6)).value_or(deadline::Unit::kWorkingHours);
        out.categories_.emplace(s.Text(0), std::move(c));
      }));
  Q11_RETURN_IF_ERROR(ForEachRow(db, "SELECT day FROM holidays", [&](SqlStmt& s) {
    if (std::optional<int64_t> day = deadline::ParseDay(s.Text(0))) out.holidays_.insert(*day);
  }));
  Q11_RETURN_IF_ERROR(
      ForEachRow(db, "SELECT unit_id, successor_id FROM retired_units",
                 [&](SqlStmt& s) { out.successors_.emplace(s.Text(0), s.Text(1)); }));
  return out;
}

std::string_view ReferenceData::Successor(std::string_view id) const {
  auto it = successors_.find(id);
  // retired_units keeps every successor pointing at a unit still in service (unit_changes.cc).
  return it == successors_.end() ? std::string_view() : std::string_view(it->second);
}

bool ReferenceData::IsRetired(std::string_view id) const {
  return successors_.find(id) != successors_.end();
}

bool ReferenceData::Assignable(std::string_view id) const {
  return UnitExists(id) && (!IsRetired(id) || !Successor(id).empty());
}

bool ReferenceData::AcceptsReports(std::string_view ward) const {
  return IsRetired(ward) ? IsWard(Successor(ward)) : IsWard(ward);
}

bool ReferenceData::IsWard(std::string_view id) const {
  auto it = units_.find(id);
  return it != units_.end() && it->second.kind == "ward";
}

std::optional<int64_t> ReferenceData::DeadlineHours(std::string_view category) const {
  auto it = categories_.find(category);
  if (it == categories_.end()) return std::nullopt;
  return it->second.deadline_hours;
}

std::optional<int64_t> ReferenceData::DeadlineAt(std::string_view category,
                                                 int64_t received_ms) const {
  auto it = categories_.find(category);
  if (it == categories_.end()) return std::nullopt;
  const CategoryInfo& c = it->second;
  if (c.amount <= 0) return received_ms + c.deadline_hours * 3600 * 1000;
  return deadline::DeadlineFor(received_ms, c.amount, c.unit, holidays_);
}

std::string_view ReferenceData::Level(std::string_view category) const {
  auto it = categories_.find(category);
  return it == categories_.end() ? std::string_view() : std::string_view(it->second.level);
}

std::string_view ReferenceData::UnitNameVi(std::string_view id) const {
  auto it = units_.find(id);
  return it == units_.end() ? id : std::string_view(it->second.name_vi);
}

std::string_view ReferenceData::CategoryNameVi(std::string_view id) const {
  auto it = categories_.find(id);
  return it == categories_.end() ? id : std::string_view(it->second.name_vi);
}

std::string_view ReferenceData::CategoryNameEn(std::string_view id) const {
  auto it = categories_.find(id);
  return it == categories_.end() ? id : std::string_view(it->second.name_en);
}

}  // namespace q11::server
