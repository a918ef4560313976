// What the Open311 API reads (docs/open311.md): categories as services, the wards a
// request may name, service requests and their staff updates, as the public may see them.
// Like the public receipt lookup (receipt_queries.h) the listings select only public
// columns: never the reporter reference, title, description, address, location, receipt
// code or anything a citizen wrote, so reporter data cannot leak through a later change to
// the formatting. Receipt codes are read only to answer a token lookup or a POST.
//
// The SQLite store implements it on its pooled read connections
// (store/sql/open311_queries.h has the SQL).
//
// Thread safety: safe from many threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.h"

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

class Open311Reads {
 public:
  virtual ~Open311Reads() = default;
  virtual Result<std::vector<Open311Service>> Open311Services() = 0;
  virtual Result<std::vector<Open311Ward>> Open311Wards() = 0;
  // Most recently requested first.
  virtual Result<std::vector<Open311Request>> Open311Requests(
      const Open311RequestFilter& filter) = 0;
  // Oldest first.
  virtual Result<std::vector<Open311Update>> Open311Updates(const Open311UpdateFilter& filter) = 0;
  // The report holding canonical receipt code `code`; nullopt when none.
  virtual Result<std::optional<std::string>> Open311ReportIdByReceipt(std::string_view code) = 0;
  // The receipt code and deadline the server stamped on report `id` (for the POST answer).
  virtual Result<std::optional<std::pair<std::string, std::string>>> Open311Stamps(
      std::string_view id) = 0;
};

}  // namespace q11::server
