// What the monitoring figures are computed from (docs/monitoring.md): per report, the few
// facts and timestamps that decide its counts and durations, plus the reference data the
// figures are grouped by; and one case's full history for the drill-down. The Store reads
// them (Store::ReadMonitorFacts, Store::ReadCaseHistory); unit_report.h computes the figures,
// so the computation is pure and the HTTP API and the CLI share it.
//
// Timestamps are ISO-8601 UTC text as stored; empty stands for NULL. Which clock each one
// comes from is part of the contract (docs/monitoring.md, "Clocks").
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace q11::server {

struct CaseFacts {
  std::string id, receipt_code, kind, category_id, ward_id, assigned_unit, status, title;
  std::string created_at;   // device clock: when the citizen filed it
  std::string received_at;  // server clock: when the server received it (deadline starts)
  std::string due_at;       // server-set deadline (an official may change it)
  std::string expected_at;  // expected completion announced by an official
  std::string resolved_at;  // server clock: the latest time it was set resolved
  std::string updated_at;
  std::string accepted_at;  // device clock: first status event accepted|assigned|in_progress
  std::string assigned_at;  // device clock: first assignment or status event assigned
  std::string closed_at;    // device clock: latest status event closed
  bool reopened = false;    // a status event reopened exists
  int stars = 0;            // the latest rating, 1-5; 0 when not rated
  std::optional<double> lat, lon;
};

struct MonitorUnit {
  std::string id, parent_id, kind, name_vi, name_en;  // kind: district | ward | department
};

struct MonitorCategory {
  std::string id, name_vi, name_en;
};

// A case moved by a units merge (docs/units.md): its ward and assigned unit before.
struct UnitMove {
  std::string report_id, moved_at;  // moved_at: ISO-8601 UTC, server clock
  std::string ward_before, unit_before;
};

struct MonitorFacts {
  std::vector<CaseFacts> cases;  // see Store::ReadMonitorFacts for which reports
  // Every merge move, oldest first: figures of a period count a case under the units it had
  // at the period's end (unit_report.h).
  std::vector<UnitMove> moves;
  std::vector<MonitorUnit> units;
  std::vector<MonitorCategory> categories;
  std::vector<std::string> holidays;  // "YYYY-MM-DD"
};

// One case with every event, oldest first (leaders and admins see all of it; the reporter
// is never named, only the author's role), and its photos' rows: the dashboard shows them
// through the photo endpoint (GET /v1/photos/{sha256}), whose own access rule applies.
struct CaseHistory {
  CaseFacts facts;
  struct Event {
    std::string id, created_at, kind, status, note, unit_id, author_role;
    int stars = 0;
  };
  std::vector<Event> events;
  struct Photo {
    std::string id, sha256, role, mime, author_role, created_at;  // role: report | result
    int64_t bytes = 0;
    std::optional<int64_t> width, height;
  };
  std::vector<Photo> photos;  // oldest first
};

}  // namespace q11::server
