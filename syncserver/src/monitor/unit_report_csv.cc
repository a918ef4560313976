#include "monitor/unit_report_csv.h"

#include <cmath>
#include <cstdio>

namespace q11::server {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

std::string Number(const std::optional<double>& v, int decimals) {
  if (!v) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, *v);
  return buf;
}

void Line(std::string* out, const std::vector<std::string>& fields) {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) out->push_back(',');
    out->append(CsvField(fields[i]));
  }
  out->append("\r\n");
}

}  // namespace

std::string CsvField(std::string_view text) {
  std::string v;
  if (!text.empty() && (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' ||
                        text[0] == '\t' || text[0] == '\r'))
    v.push_back('\'');
  v.append(text);
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string q = "\"";
  for (char c : v) {
    if (c == '"') q.push_back('"');
    q.push_back(c);
  }
  q.push_back('"');
  return q;
}

std::string UnitsCsv(const UnitReport& report) {
  std::string out(kBom);
  Line(&out, {"from",
              "to",
              "now",
              "id",
              "kind",
              "name_vi",
              "name_en",
              "received",
              "open",
              "in_progress",
              "resolved",
              "rejected",
              "duplicate",
              "overdue_now",
              "resolved_on_time",
              "on_time_rate",
              "accept_median_hours",
              "accept_p90_hours",
              "resolve_median_hours",
              "resolve_p90_hours",
              "ever_resolved",
              "reopened",
              "reopen_rate",
              "ratings",
              "satisfaction"});
  auto row = [&](const Figures& f) {
    auto n = [](int64_t v) { return std::to_string(v); };
    Line(&out, {report.period.from_day,
                report.period.to_day,
                report.now,
                f.id,
                f.kind,
                f.name_vi,
                f.name_en,
                n(f.received),
                n(f.open),
                n(f.in_progress),
                n(f.resolved),
                n(f.rejected),
                n(f.duplicate),
                n(f.overdue_now),
                n(f.resolved_on_time),
                Number(f.on_time_rate, 4),
                Number(f.accept_median_h, 1),
                Number(f.accept_p90_h, 1),
                Number(f.resolve_median_h, 1),
                Number(f.resolve_p90_h, 1),
                n(f.ever_resolved),
                n(f.reopened),
                Number(f.reopen_rate, 4),
                n(f.ratings),
                Number(f.satisfaction, 2)});
  };
  for (const Figures& f : report.units) row(f);
  for (const Figures& f : report.categories) row(f);
  return out;
}

std::string CasesCsv(const std::vector<CaseRow>& cases) {
  std::string out(kBom);
  Line(&out,
       {"id",          "receipt_code", "kind",       "category_id", "ward_id",     "assigned_unit",
        "status",      "title",        "created_at", "received_at", "accepted_at", "assigned_at",
        "due_at",      "expected_at",  "deadline",   "resolved_at", "closed_at",   "updated_at",
        "overdue_now", "reopened",     "stars"});
  for (const CaseRow& r : cases) {
    const CaseFacts& c = *r.facts;
    Line(&out, {c.id,
                c.receipt_code,
                c.kind,
                c.category_id,
                c.ward_id,
                c.assigned_unit,
                c.status,
                c.title,
                c.created_at,
                c.received_at,
                c.accepted_at,
                c.assigned_at,
                c.due_at,
                c.expected_at,
                r.deadline,
                c.resolved_at,
                c.closed_at,
                c.updated_at,
                r.overdue_now ? "1" : "0",
                c.reopened ? "1" : "0",
                c.stars > 0 ? std::to_string(c.stars) : ""});
  }
  return out;
}

}  // namespace q11::server
