// CSV exports of the monitoring figures (docs/monitoring.md, "CSV"): the unit table and
// the cases of a period with every timestamp. RFC 4180: comma-separated, CRLF line ends,
// a field quoted when it holds a comma, quote or line break (quotes doubled). UTF-8 with
// a byte-order mark, so spreadsheet programs read Vietnamese correctly. A text field that
// starts with = + - @ or a tab gets a leading apostrophe, so a citizen's title cannot
// become a spreadsheet formula.
#pragma once

#include <string>
#include <vector>

#include "monitor/unit_report.h"

namespace q11::server {

// One line per row of report.units, then one per category (kind "category").
std::string UnitsCsv(const UnitReport& report);
std::string CasesCsv(const std::vector<CaseRow>& cases);

// One CSV field, quoted and neutralised as above.
std::string CsvField(std::string_view text);

}  // namespace q11::server
