// Columns the server fills in itself, whatever the device sent:
//   reports.reporter_ref       the citizen's own pseudonym (a report filed before login
//                              carries none)                                     on INSERT
//   reports.received_at        the server's receipt time: the deadline clock starts here
//   reports.due_at             received_at + the category's handling time in working
//                              hours or days, across weekends and holidays (reference_data.h)
//   reports.receipt_code       the device's code when well formed and unused, else a new one
//   reports.resolved_at        NULL on INSERT; the server's time whenever an UPDATE sets the
//                              status to resolved (the citizen's reopen period starts here)
//   case_events.author_ref     the citizen's pseudonym, or the official's user id
//   case_events.author_role    the author's role
//   photos.author_ref, photos.author_role   the same as for case_events
// Runs after validation, before the rows are applied. For resolved_at on an UPDATE the
// stamp writes the server's current value as the change's old value too, so the three-way
// merge takes it as a change only the device side made.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "sync/push/change_validator.h"
#include "sync/push/changeset_reader.h"
#include "sync/reference_data.h"
#include "sync/table_shapes.h"
#include "syncserver/account.h"

namespace q11::server {

struct StampContext {
  const Account* account = nullptr;
  const TableShapes* shapes = nullptr;
  const ReferenceData* refs = nullptr;
  int64_t now_ms = 0;
  // The report as stored (for resolved_at's old value).
  ReportLookup find_report;
  // True when a stored report other than `report_id` holds receipt code `code`.
  std::function<Result<bool>(std::string_view code, std::string_view report_id)> receipt_taken;
  // A fresh random receipt code (protocol/receipt_code.h).
  std::function<std::string()> new_receipt;
};

// REQUIRES: `changeset` passed ValidateChangeset for the same account. Errors are database
// failures of the lookups.
Status StampServerColumns(DecodedChangeset* changeset, const StampContext& context);

// True for a stamped column whose value depends on when or in which order the server
// received the row (reports.due_at, received_at, receipt_code): ignored when a re-sent
// INSERT is compared with the stored row.
bool IsTimeStamped(std::string_view table, std::string_view column);

}  // namespace q11::server
