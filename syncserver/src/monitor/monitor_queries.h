// The monitoring reads (docs/monitoring.md) on one read connection: the facts of the
// reports a period's figures need, the reference data they are grouped by, and one case's
// full history. Only reads; the figures themselves are computed in unit_report.h.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "syncserver/monitor_facts.h"

namespace q11::server {

class MonitorQueries {
 public:
  // REQUIRES: `db` outlives the object.
  static Result<std::unique_ptr<MonitorQueries>> Create(SqlConn& db);

  // See Store::ReadMonitorFacts. One read transaction, so the reports, their events and the
  // reference data are one snapshot.
  Result<MonitorFacts> Read(std::string_view from_utc, std::string_view to_utc);
  Result<std::optional<CaseHistory>> History(std::string_view report_id);

 private:
  explicit MonitorQueries(SqlConn& db) : db_(db) {}
  SqlConn& db_;
  SqlStmt cases_, one_case_, events_, photos_, units_, categories_, holidays_, moves_;
};

}  // namespace q11::server
