// The reads behind the Open311 API (docs/open311.md): categories as services, the wards a
// request may name, service requests and their staff updates, as the public may see them.
// Like the public receipt lookup (receipt_queries.h) the listings select only public
// columns: never the reporter reference, title, description, address, location, receipt
// code or anything a citizen wrote, so reporter data cannot leak through a later change to
// the formatting. Receipt codes are read only to answer a token lookup or a POST.
//
// Own read connection to the server database. REQUIRES: the database was prepared by
// OpenSqliteStore first. Thread safety: safe from many threads (one connection, a mutex;
// the queries are short and WAL lets them run beside pushes).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "q11sqlite/sqlite.h"

namespace q11::server {

struct Open311Service {
  std::string code, name_vi, name_en, level;  // categories.id, names, urgent|normal|complex
  int64_t deadline_amount = 0;                // handling time in deadline_unit
  std::string deadline_unit;                  // working_hours | working_days
  int64_t deadline_hours = 0;                 // legacy calendar hours (no amount)
  std::string unit_vi, unit_en;               // the unit that handles it by default
};

struct Open311Ward {
  std::string id, name_vi, name_en;
};

// A report as the public sees it. Empty text stands for NULL.
struct Open311Request {
  std::string id, kind, status;
  std::string category_id, category_vi, category_en;
  std::string ward_id, ward_vi, ward_en;
  std::string unit_id, unit_vi, unit_en;  // assigned unit
  std::string default_unit_vi, default_unit_en;
  std::string created_at, requested_at, updated_at, due_at, expected_at, resolved_at;
  std::string duplicate_of;  // the id of the report this one duplicates
  std::string status_note;   // the latest note of the staff's status or result events
};

struct Open311RequestFilter {
  std::vector<std::string> ids;       // any of these report ids (empty: all)
  std::vector<std::string> services;  // any of these categories (empty: all)
  std::vector<std::string> statuses;  // any of these detailed statuses (empty: all)
  std::string since, until;           // requested (received) time, UTC text, inclusive
  int limit = 1000;
  int offset = 0;
};

// A staff event on a report: a status change, assignment, progress note or result.
struct Open311Update {
  std::string id, report_id, kind;
  std::string status;         // the event's new status (status events), else ""
  std::string report_status;  // the report's current status
  std::string note, at;
};

struct Open311UpdateFilter {
  std::vector<std::string> report_ids;  // empty: all
  std::string since, until;             // event time, UTC text, inclusive
  int limit = 1000;
  int offset = 0;
};

class Open311Queries {
 public:
  static Result<std::unique_ptr<Open311Queries>> Open(const std::string& db_path);

  Result<std::vector<Open311Service>> Services();
  Result<std::vector<Open311Ward>> Wards();
  // Most recently requested first.
  Result<std::vector<Open311Request>> Requests(const Open311RequestFilter& filter);
  // Oldest first.
  Result<std::vector<Open311Update>> Updates(const Open311UpdateFilter& filter);
  // The report holding canonical receipt code `code`; nullopt when none.
  Result<std::optional<std::string>> ReportIdByReceipt(std::string_view code);
  // The receipt code and deadline the server stamped on report `id` (for the POST answer).
  Result<std::optional<std::pair<std::string, std::string>>> Stamps(std::string_view id);

 private:
  explicit Open311Queries(sql::Db db) : db_(std::move(db)) {}

  std::mutex mu_;
  sql::Db db_;
};

}  // namespace q11::server
