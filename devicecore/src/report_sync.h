// Per-report sync state (database.h, ReportSync): which of a report's local changes wait
// for the server, and which it parked, rejected or merged with a message. Built from one
// pass over the outbox and one over settled_changes, using the report ids stored with
// each entry (touched_reports.h), so listing every report costs no changeset parsing.
#pragma once

#include <string>
#include <unordered_map>

#include "devicecore/database.h"
#include "outbox.h"

namespace q11::device {

class ReportSyncIndex {
 public:
  // REQUIRES: called inside a read transaction when it must agree with a query of the
  // reports (the caller's snapshot).
  static Result<ReportSyncIndex> Build(Outbox& outbox);

  // The report's record, or nullptr when no outbox entry or settled change touches it (it
  // is synced). Valid while the index lives.
  const ReportSync* Find(const std::string& report_id) const;

 private:
  std::unordered_map<std::string, ReportSync> by_report_;
};

}  // namespace q11::device
