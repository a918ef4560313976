// JSON views of devicecore's values, for the CLI, the C API and app bindings. UTF-8 text is
// written as is (Vietnamese stays readable), keys in a stable order. Absent optional
// values are null.
#pragma once

#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/public_cases.h"
#include "devicecore/sync.h"

namespace q11::device {

// [{"id","status","title_vi","body_vi"}]
std::string TemplatesToJson(const std::vector<ResponseTemplate>& templates);

// {"id","kind","status","title","description","category","ward","lat","lon","address",
//  "assigned_unit","due_at","reporter_ref","created_at","updated_at","pending_changes",
//  "sync_state": "synced" | "pending" | "parked" | "rejected" (worst first),
//  "sync":{"pending","parked":[{"seq","message","settled_at"}],"rejected":[...],
//          "merged_notes":[...]},
//  "receipt_code","received_at","expected_at","resolved_at","duplicate_of","overdue",
//  "result": the latest result text or null, "rating":{"stars","comment","created_at"}|null,
//  "events":[{"id","kind","status","note","unit","author_ref","author_role","created_at",
//             "stars" (ratings only)}]}
// `with_events`: include "sync" and "events" (GetReport fills them; ListReports does not).
std::string ReportToJson(const Report& report, bool with_events = true);
// [report, ...] without events.
std::string ReportsToJson(const std::vector<Report>& reports);
// {"units":[{"id","parent_id","kind","name_vi","name_en"}],
//  "categories":[{"id","name_vi","name_en","default_unit","deadline_hours","level",
//                 "deadline_amount","deadline_unit"}]}
std::string ReferenceToJson(const std::vector<Unit>& units,
                            const std::vector<Category>& categories);
// The same plus "templates":[{"id","status","title_vi","body_vi"}] (as TemplatesToJson):
// everything an app's forms and official's actions choose from.
std::string ReferenceToJson(const std::vector<Unit>& units, const std::vector<Category>& categories,
                            const std::vector<ResponseTemplate>& templates);
// {"server_url","user_id","name","role","unit","reporter_ref","contact_phone",
//  "contact_email"}: who is logged in, for display. Never the tokens or the CA.
std::string AccountToJson(const Account& account);
// {"path","content_type","body","bearer"}: the long-poll request (sync.h, MakeWaitRequest).
std::string WaitRequestToJson(const WaitRequest& request);
// [{"seq","state","created_at","bytes","tables"}]: what waits for the server.
std::string OutboxToJson(const std::vector<OutboxEntry>& entries);
// [{"seq","verdict","message","settled_at","report_ids"}]: what the server rejected, parked
// or merged with a message.
std::string SettledToJson(const std::vector<SettledChange>& settled);
// Every SyncResult field, same names ("settled": [{"seq","verdict","message","report_ids"}],
// "drift": [{"audience","rows_differing","repaired","backing_off","next_try_ms","message"}]).
std::string SyncResultToJson(const SyncResult& result);
// The photos of a report (photos.h), as an array of objects with Photo's fields.
std::string PhotosToJson(const std::vector<Photo>& photos);

// {"receipt_code" (omitted in a ward's list),"status","status_vi","status_en",
//  "category","ward","assigned_unit": {"id","name_vi","name_en"}|null,"created_at",
//  "received_at","due_at","expected_at","resolved_at","updated_at","duplicate_of","overdue",
//  "history":[{"at","kind","status","note"}]}: the server's public view, as it came.
std::string PublicCaseToJson(const PublicCase& c);
// [case, ...]
std::string PublicCasesToJson(const std::vector<PublicCase>& cases);

}  // namespace q11::device
