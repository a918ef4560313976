// Units, categories (with their working-time deadlines) and the holiday calendar, held in
// memory for the validator, the server stamps and the public receipt page: every pushed
// report names a category and a ward, every assignment a unit. Devices may not write these
// tables, so a copy read when the store opens stays true until an operator changes them
// (`syncserver units ...`, docs/units.md; then restart the server).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/deadline_calculator.h"
#include "protocol/result.h"
#include "store/sql/sql_conn.h"

namespace q11::server {

class ReferenceData {
 public:
  static Result<ReferenceData> Load(SqlConn& db);

  bool UnitExists(std::string_view id) const { return units_.find(id) != units_.end(); }
  bool IsWard(std::string_view id) const;
  // The unit that took over retired unit `id` (followed to one that is not retired); empty
  // when `id` is not retired or was retired without a successor (docs/units.md).
  std::string_view Successor(std::string_view id) const;
  bool IsRetired(std::string_view id) const;
  // A unit a pushed change may name: in service, or retired with a successor (the push
  // then writes the successor, server_stamps.h). A retired ward's successor is a ward.
  bool Assignable(std::string_view id) const;
  bool AcceptsReports(std::string_view ward) const;
  // nullopt for an unknown category.
  std::optional<int64_t> DeadlineHours(std::string_view category) const;
  // The handling deadline (Unix ms) of a report of `category` received at `received_ms`:
  // working time by the category's amount and unit across weekends and holidays
  // (docs/workflow.md), or its legacy calendar hours when it has no amount. nullopt for an
  // unknown category.
  std::optional<int64_t> DeadlineAt(std::string_view category, int64_t received_ms) const;
  // urgent | normal | complex; empty for an unknown category.
  std::string_view Level(std::string_view category) const;
  // Names for people; the id itself when unknown.
  std::string_view UnitNameVi(std::string_view id) const;
  std::string_view CategoryNameVi(std::string_view id) const;
  std::string_view CategoryNameEn(std::string_view id) const;
  const deadline::HolidaySet& holidays() const { return holidays_; }

 private:
  struct UnitInfo {
    std::string kind, name_vi;
  };
  struct CategoryInfo {
    int64_t deadline_hours = 0;
    std::string level, name_vi, name_en;
    int64_t amount = 0;
    deadline::Unit unit = deadline::Unit::kWorkingHours;
  };
  std::map<std::string, UnitInfo, std::less<>> units_;
  std::map<std::string, CategoryInfo, std::less<>> categories_;
  std::map<std::string, std::string, std::less<>> successors_;  // retired → successor or ""

  deadline::HolidaySet holidays_;
};

}  // namespace q11::server
