// Units and categories, held in memory for the validator: every pushed report names a
// category and a ward, every assignment a unit. Devices may not write these tables, so a
// copy read when the store opens stays true until an admin tool changes them (which then
// reopens the store).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::server {

class ReferenceData {
 public:
  static Result<ReferenceData> Load(sql::Db& db);

  bool UnitExists(std::string_view id) const { return units_.find(id) != units_.end(); }
  bool IsWard(std::string_view id) const;
  // nullopt for an unknown category.
  std::optional<int64_t> DeadlineHours(std::string_view category) const;

 private:
  std::map<std::string, std::string, std::less<>> units_;  // id → kind
  std::map<std::string, int64_t, std::less<>> deadlines_;  // category id → hours
};

}  // namespace q11::server
