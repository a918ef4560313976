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
  // The report with its events (oldest first); kNotFound when absent. Its sync fields are
  // left for the caller (they need the outbox: report_sync.h).
  Result<Report> Get(const std::string& id);
  Result<std::vector<Unit>> Units();
  Result<std::vector<Category>> Categories();
  // The report a case event belongs to ("" when the event is unknown).
  Result<std::string> ReportOfEvent(const std::string& event_id);

 private:
  StatementCache* cache_;
};

}  // namespace q11::device
