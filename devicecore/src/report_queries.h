// Reads of the synced tables for the UI and the CLI. No writes here.
#pragma once

#include <string>
#include <vector>

#include "devicecore/database.h"
#include "statement_cache.h"

namespace q11::device {

class ReportQueries {
 public:
  // "*cache" must outlive this object.
  explicit ReportQueries(StatementCache* cache) : cache_(cache) {}

  Result<std::vector<Report>> List();  // newest first, without events
  // The report with its events (oldest first); kNotFound when absent. pending_changes is
  // left for the caller (it needs the outbox).
  Result<Report> Get(const std::string& id);
  Result<std::vector<Unit>> Units();
  Result<std::vector<Category>> Categories();
  // The report a case event belongs to ("" when the event is unknown).
  Result<std::string> ReportOfEvent(const std::string& event_id);

 private:
  StatementCache* cache_;
};

// How many of `changesets` touch report `report_id` (the report row or one of its events).
// `report_of_event` resolves an event whose report id the changeset does not carry.
Result<int> CountTouching(const std::vector<std::string>& changesets, const std::string& report_id,
                          ReportQueries& queries);

}  // namespace q11::device
