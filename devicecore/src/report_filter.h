// How an official's list of reports is narrowed and ordered (Database::FindReports): the
// filter's conditions, and the order by current deadline so what is due soonest comes
// first. Pure code over Report values, unit-tested without a database.
#pragma once

#include <vector>

#include "devicecore/database.h"

namespace q11::device {

// True when `report` meets every condition `filter` gives (database.h, ReportFilter).
// REQUIRES: report.overdue already computed (ListReports does).
bool MatchesFilter(const Report& report, const ReportFilter& filter);

// Orders by current deadline (expected_at when announced, else due_at), soonest first;
// reports without one last, newest first among them. Stable for equal deadlines.
void SortByDeadline(std::vector<Report>& reports);

}  // namespace q11::device
