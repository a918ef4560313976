// Who sees and handles which reports (docs/architecture.md, "Audiences").
//
// Every change-log entry is filed under audiences ("all", "u:<unit>", "r:<reporter_ref>",
// "ref" for reference rows);
// a pull reads only the audiences of its account. The same unit rules decide which
// reports an official may update, so reading and writing scopes cannot drift apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "syncserver/account.h"

namespace q11::server {

// Reference rows (units, categories: docs/units.md) are filed under this audience, which
// every account reads besides its own.
inline constexpr std::string_view kReferenceAudience = "ref";

// The district unit: its officials see and handle every report.
inline constexpr std::string_view kDistrictUnit = "q11";

// Leaders, admins and officials of the district see every report.
bool SeesAllReports(const Account& account);

// True when `account` (an official, leader or admin) handles a report of this ward or
// assigned unit. Always false for citizens.
bool HandlesReport(const Account& account, std::string_view ward_id,
                   std::string_view assigned_unit);

// True when `account`'s pull may carry a report with these facts (and its events and
// photos): the citizen who filed it, or staff who handle it.
bool SeesReport(const Account& account, std::string_view ward_id, std::string_view assigned_unit,
                std::string_view reporter_ref);

// The audiences `account` reads: its own, then kReferenceAudience.
std::vector<std::string> ReadAudiences(const Account& account);

// The refusal of a pull of `audience` alone (a scope repair, docs/protocol.md section 6)
// by an account that does not read it: English and Vietnamese.
std::string NotYourScope(std::string_view audience);

// Replaces *out with the audiences of a report row (and of the case events written
// while it has these values); no duplicates.
void ReportAudiences(std::string_view ward_id, std::string_view assigned_unit,
                     std::string_view reporter_ref, std::vector<std::string>* out);

}  // namespace q11::server
