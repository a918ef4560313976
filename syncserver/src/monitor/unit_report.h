// The monitoring figures (docs/monitoring.md defines every one): per unit and per
// category for a period, the weekly trend, the backlog by age and a unit's overdue cases,
// computed from the facts the Store reads (syncserver/monitor_facts.h). Pure: the caller
// gives the facts and "now", so the HTTP API (monitor_handlers.h), the CLI
// (`syncserver report units`) and the tests get the same numbers from the same code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "syncserver/monitor_facts.h"

namespace q11::server {

// A period of whole local days (Asia/Ho_Chi_Minh), both ends included.
struct ReportPeriod {
  std::string from_day, to_day;    // "YYYY-MM-DD"
  int64_t from_ms = 0, to_ms = 0;  // [from_ms, to_ms): local midnights as Unix ms
  std::string from_utc, to_utc;    // the same bounds as ISO-8601 UTC (for the Store)
};

// kInvalidArgument (English / Vietnamese) unless both are real dates, from <= to and the
// period is at most kMaxPeriodDays long.
inline constexpr int kMaxPeriodDays = 3 * 366;
Result<ReportPeriod> ParsePeriod(std::string_view from_day, std::string_view to_day);
// The `days` local days ending with the day of `now_ms` (the dashboard's default).
ReportPeriod LastDays(int64_t now_ms, int days);

// The figures of one row: a unit, a category or the whole district.
struct Figures {
  std::string id, kind, name_vi, name_en;  // kind: district | ward | department | category
  int64_t received = 0;                    // received in the period
  int64_t open = 0;         // of those, open now (new, accepted, assigned, in_progress, reopened)
  int64_t in_progress = 0;  // of the open, in_progress
  int64_t resolved = 0;     // resolved or closed
  int64_t rejected = 0;
  int64_t duplicate = 0;
  int64_t overdue_now = 0;  // open and past their current deadline now
  int64_t resolved_on_time = 0;
  int64_t ever_resolved = 0;  // resolved at least once (resolved_at set)
  int64_t reopened = 0;       // of those, reopened at least once
  int64_t ratings = 0;
  int64_t accept_samples = 0, resolve_samples = 0;
  // Working hours; nullopt without samples.
  std::optional<double> accept_median_h, accept_p90_h, resolve_median_h, resolve_p90_h;
  std::optional<double> on_time_rate;  // resolved_on_time / (resolved + overdue_now)
  std::optional<double> reopen_rate;   // reopened / ever_resolved
  std::optional<double> satisfaction;  // mean latest stars, 1-5
};

struct WeekFigures {
  std::string week_start;  // local Monday "YYYY-MM-DD"
  int64_t received = 0;    // received that week (within the period)
  int64_t resolved = 0;    // resolved or closed now, last resolved that week (within the period)
};

struct BacklogBucket {
  std::string id, label_vi, label_en;  // age in working days since receipt
  int64_t open = 0, overdue = 0;
};

// An open report with a location, for the map.
struct MapPoint {
  std::string id, receipt_code, ward_id, status;
  double lat = 0, lon = 0;
  bool overdue = false;
};

struct UnitReport {
  ReportPeriod period;
  std::string now;                  // ISO-8601 UTC
  std::vector<Figures> units;       // the district first, then wards, then departments
  std::vector<Figures> categories;  // whole district, by category
  std::vector<WeekFigures> weeks;
  std::vector<BacklogBucket> backlog;  // every report open now, whenever received
  std::vector<MapPoint> map;           // every report open now that has a location
};

UnitReport ComputeUnitReport(const MonitorFacts& facts, const ReportPeriod& period, int64_t now_ms);

// A case of the period as a row of the drill-down and the CSV.
struct CaseRow {
  const CaseFacts* facts = nullptr;
  std::string deadline;  // expected_at when announced, else due_at
  bool overdue_now = false;
  double overdue_working_h = 0;  // working hours past the deadline, when overdue
};

// The cases received in the period that `unit` handles (every case for the district unit;
// "" for all), oldest received first. With `overdue_only`, only those overdue now, most
// overdue first.
std::vector<CaseRow> CasesOf(const MonitorFacts& facts, const ReportPeriod& period,
                             std::string_view unit, bool overdue_only, int64_t now_ms);

// The current deadline (docs/workflow.md, "Overdue"): expected_at when announced, else due_at.
const std::string& CurrentDeadline(const CaseFacts& c);
// True when `id` is one of the units the facts cover (every unit of the reference data).
bool KnownUnit(const MonitorFacts& facts, std::string_view id);
bool IsOpenStatus(std::string_view status);

}  // namespace q11::server
