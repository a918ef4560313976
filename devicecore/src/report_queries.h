// Reads of the synced tables for the UI and the CLI. No writes here.
#pragma once

#include <cstdint>
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
  // Response templates of `status` (all when empty), by status then id.
  Result<std::vector<ResponseTemplate>> Templates(const std::string& status);
  // The id of the report a person named by id or receipt code (Database::ResolveReportId).
  Result<std::string> Resolve(const std::string& id_or_code);
  // The report a case event belongs to ("" when the event is unknown).
  Result<std::string> ReportOfEvent(const std::string& event_id);

 private:
  StatementCache* cache_;
};

// Open and past its current deadline (expected_at, else due_at) at `now_ms`
// (docs/workflow.md, "Overdue").
bool IsOverdue(const Report& report, int64_t now_ms);

}  // namespace q11::device
