#include "report_filter.h"

#include <algorithm>
#include <optional>
#include <string>

#include "protocol/ids.h"

namespace q11::device {
namespace {

// ASCII letters folded to lower case; other bytes (UTF-8 of Vietnamese letters) unchanged.
std::string Folded(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A code as typed or stored, without its dashes and spaces: "q11 7kxm" → "q117kxm".
std::string Compact(const std::string& s) {
  std::string out;
  for (char c : Folded(s))
    if (c != '-' && c != ' ') out.push_back(c);
  return out;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return Folded(haystack).find(needle) != std::string::npos;
}

std::optional<int64_t> Deadline(const Report& r) {
  const std::optional<std::string>& at = r.expected_at ? r.expected_at : r.due_at;
  return at ? ParseUtc(*at) : std::nullopt;
}

}  // namespace

bool MatchesFilter(const Report& r, const ReportFilter& f) {
  if (!f.status.empty() && r.status != f.status) return false;
  if (!f.ward_id.empty() && r.ward_id != f.ward_id) return false;
  if (!f.category_id.empty() && r.category_id != f.category_id) return false;
  if (f.overdue && !r.overdue) return false;
  if (f.search.empty()) return true;
  const std::string needle = Folded(f.search);
  if (Contains(r.title, needle) || Contains(r.description, needle)) return true;
  const std::string code = Compact(f.search);
  return r.receipt_code && !code.empty() &&
         Compact(*r.receipt_code).find(code) != std::string::npos;
}

void SortByDeadline(std::vector<Report>& reports) {
  std::stable_sort(reports.begin(), reports.end(), [](const Report& a, const Report& b) {
    std::optional<int64_t> da = Deadline(a), db = Deadline(b);
    if (da && db) return *da < *db;
    if (da || db) return da.has_value();  // a deadline before none
    return a.created_at > b.created_at;   // no deadline: newest first
  });
}

}  // namespace q11::device
