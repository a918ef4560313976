#include "sync/access_scope.h"

#include <algorithm>

namespace q11::server {

bool SeesAllReports(const Account& a) {
  return a.role == Role::kLeader || a.role == Role::kAdmin ||
         (a.role == Role::kOfficial && a.unit == kDistrictUnit);
}

bool HandlesReport(const Account& a, std::string_view ward_id, std::string_view assigned_unit) {
  if (a.role == Role::kCitizen) return false;
  if (SeesAllReports(a)) return true;
  return !a.unit.empty() && (ward_id == a.unit || assigned_unit == a.unit);
}

bool SeesReport(const Account& a, std::string_view ward_id, std::string_view assigned_unit,
                std::string_view reporter_ref) {
  if (a.role == Role::kCitizen) return !a.reporter_ref.empty() && reporter_ref == a.reporter_ref;
  return HandlesReport(a, ward_id, assigned_unit);
}

std::vector<std::string> ReadAudiences(const Account& a) {
  const std::string ref(kReferenceAudience);
  if (a.role == Role::kCitizen) return {"r:" + a.reporter_ref, ref};
  if (SeesAllReports(a)) return {"all", ref};
  return {"u:" + a.unit, ref};
}

std::string NotYourScope(std::string_view audience) {
  return "this account does not read the scope '" + std::string(audience) +
         "': a device repairs only the scopes it pulls; nothing was sent / tài khoản này "
         "không được đọc phạm vi dữ liệu '" +
         std::string(audience) + "'; không gửi dữ liệu nào";
}

void ReportAudiences(std::string_view ward_id, std::string_view assigned_unit,
                     std::string_view reporter_ref, std::vector<std::string>* out) {
  out->clear();
  out->emplace_back("all");
  auto add = [out](std::string_view prefix, std::string_view id) {
    if (id.empty()) return;
    std::string a;
    a.reserve(prefix.size() + id.size());
    a.append(prefix).append(id);
    if (std::find(out->begin(), out->end(), a) == out->end()) out->push_back(std::move(a));
  };
  add("u:", ward_id);
  add("u:", assigned_unit);
  add("r:", reporter_ref);
}

}  // namespace q11::server
