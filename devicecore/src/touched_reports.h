// Which reports a local change touches: the ids of its reports rows and the report_id of its
// case_events rows. Worked out once, when the change is captured (the rows are there then),
// and stored with the outbox entry and, later, with its settled record: so the UI can say
// per report what is pending, parked or rejected long after the rows have moved on.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace q11::device {

// The report an event belongs to ("" when unknown). Used for an event row whose change does
// not carry report_id (an UPDATE that left it alone).
using EventOwner = std::function<Result<std::string>(const std::string& event_id)>;

// The distinct report ids `changeset` touches, in first-seen order. kDataLoss: malformed.
Result<std::vector<std::string>> TouchedReports(std::string_view changeset,
                                                const EventOwner& owner);

// The stored form: ids joined with '\n' (device-made ids are UUIDs; an id holding a newline
// could only blur which report a marker belongs to, never lose a change).
std::string JoinReportIds(const std::vector<std::string>& ids);
std::vector<std::string> SplitReportIds(std::string_view stored);

}  // namespace q11::device
