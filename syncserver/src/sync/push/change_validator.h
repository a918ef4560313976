// The write rules: what each role may change from a device, checked on every pushed
// changeset BEFORE any of it is applied (a changeset from a phone is untrusted input).
//
// A change is refused when its table is not synced, its shape (column count, primary-key
// layout) differs from the live schema, or the role's rules forbid it:
//   units, categories  reference data; nobody writes them from a device.
//   reports            citizens INSERT new reports (status 'new', no unit, known category
//                      and ward, title ≤ 200 and description ≤ 5000 bytes, their own or no
//                      reporter_ref), UPDATE the title, description and updated_at of
//                      their own reports, and DELETE (withdraw) their own reports (the
//                      merge decides whether it is still theirs alone: row_merger.h);
//                      officials, leaders and admins UPDATE only status, assigned_unit,
//                      due_at and updated_at of reports in their scope.
//                      A citizen may also reopen their own resolved or closed report
//                      (status reopened) within the reopen period, with a reason.
//                      Staff may also set expected_at (with a progress note in the same
//                      change) and duplicate_of; an overdue case's status changes only to
//                      a finishing status or with a new expected date (docs/workflow.md).
//   case_events        INSERT only: citizens comment on and rate (1-5 stars, after the
//                      result) their own reports, and give the reason of their reopening;
//                      officials add any other event kind to reports in their scope. A citizen's
//                      DELETE of an event is allowed only with the DELETE of its report in the same
//                      change (it goes with the report).
//   photos             INSERT only (metadata; the bytes go to /v1/photos): citizens attach
//                      `report` photos to their own reports, officials `result` photos to
//                      reports in their scope; at most photos::kMaxPhotosPerReport per
//                      report and role, each at most photos::kMaxPhotoBytes, of a known
//                      image type (protocol/photo_limits.h). Deleted only with their report.
//   DELETE             nothing else.
// An UPDATE of a report the server deleted passes when the user's scope covered it (the
// merge parks it); a report that never existed is refused.
// One refused change refuses the whole entry; the message names table, row, column and
// rule, in English then Vietnamese.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "sync/push/changeset_reader.h"
#include "sync/reference_data.h"
#include "sync/table_shapes.h"
#include "syncserver/account.h"

namespace q11::server {

// What the rules need to know about a stored report.
struct ReportFacts {
  std::string ward_id;
  std::string assigned_unit;  // empty when NULL
  std::string reporter_ref;   // empty when NULL
  bool deleted = false;       // the report was deleted; these are its last values
  // The case life (docs/workflow.md); empty when NULL.
  std::string status;
  std::string due_at, expected_at, resolved_at, duplicate_of;
};

// Reads a report as the push transaction sees it, or the last values of a deleted one
// (deleted = true); nullopt when it never existed.
using ReportLookup = std::function<Result<std::optional<ReportFacts>>(std::string_view id)>;
// How many photos of `role` the report holds now.
using PhotoCounter =
    std::function<Result<int64_t>(std::string_view report_id, std::string_view role)>;

struct ValidationContext {
  const Account* account = nullptr;
  const TableShapes* shapes = nullptr;
  const ReferenceData* refs = nullptr;
  ReportLookup find_report;
  int64_t now_ms = 0;         // the server's clock: overdue cases, the reopen period
  PhotoCounter count_photos;  // may be empty: then only this changeset's photos are counted
};

// OK when every change may be applied. A refusal is kPermissionDenied (a role rule) or
// kInvalidArgument (shape or data); other codes are database failures from find_report.
Status ValidateChangeset(const DecodedChangeset& changeset, const ValidationContext& context);

// A refusal carrying both languages: "<english> / <vietnamese>".
Status Refusal(StatusCode code, std::string_view english, std::string_view vietnamese);

// True for the codes that mean "this entry is refused" rather than "the server failed".
bool IsRefusal(StatusCode code);

}  // namespace q11::server
