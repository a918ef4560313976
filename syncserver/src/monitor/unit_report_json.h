// The JSON of the monitoring API (docs/monitoring.md, "HTTP API"), shared by the HTTP
// handlers and `syncserver report units --json`, so both speak exactly the same shapes.
// Hours are rounded to 0.1, rates (0-1) to 0.0001, satisfaction to 0.01; a figure without
// samples is null. Poco stays inside unit_report_json.cc.
#pragma once

#include <string>
#include <vector>

#include "monitor/unit_report.h"
#include "syncserver/monitor_facts.h"

namespace q11::server {

// {"from","to","now","units":[figures],"categories":[figures],"weeks":[...],"backlog":[...],
//  "map":[{"id","receipt_code","ward_id","status","lat","lon","overdue"}]}
std::string UnitReportJson(const UnitReport& report);
// {"unit","from","to","now","cases":[{"id","receipt_code","title","status",...,"deadline",
//  "overdue","overdue_working_hours"}]}
std::string CaseListJson(std::string_view unit, const ReportPeriod& period, std::string_view now,
                         const std::vector<CaseRow>& cases);
// {"case":{facts...},"events":[{"id","created_at","kind","status","note","unit_id",
//  "author_role","stars"}],"photos":[{"id","sha256","role","mime","bytes","width","height",
//  "author_role","created_at"}]}
std::string CaseHistoryJson(const CaseHistory& history, int64_t now_ms);

}  // namespace q11::server
