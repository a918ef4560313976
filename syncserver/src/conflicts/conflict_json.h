// The JSON of the admin conflict API (docs/conflicts.md, "HTTP API"), shared by the HTTP
// handlers and `syncserver conflicts ... --json`, so both speak exactly the same shapes.
// Poco stays inside conflict_json.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "syncserver/conflict.h"

namespace q11::server {

// {"conflicts":[{"id","table","row_id","operation","unit","assigned_unit","columns":[...],
//  "column_labels":[{"column","label_vi","label_en"}],"user","user_id","user_role",
//  "device_id","case":null|{"report_id","receipt_code","title","status","ward_id",
//  "ward_name_vi","ward_name_en","assigned_unit","assigned_name_vi","assigned_name_en",
//  "withdrawn"},"created_at","state","resolved_at","resolved_by"}]}
// "user" is a staff member's account name or a citizen's pseudonym, never their name.
std::string ConflictListJson(const std::vector<ConflictSummary>& conflicts);
// {"id","table","row_id","operation",...,"row_seq","current_seq","row_changed",
//  "columns":[{"column","label_vi","label_en","kind","base","device","server",
//              "choices"?:[{"id","kind","name_vi","name_en"}]}],
//  "server_side"|"device_side":{"who":null|{"role","name","reporter_ref","unit_id",
//      "unit_name_vi","unit_name_en"},"notes":[{"at","kind","status","unit_id","note","overruled"}]},
//  "resolution":null|{"by","at","decision","values"}}
std::string ConflictDetailJson(const ConflictDetail& conflict);
// {"id","state":"resolved","server_seq"}
std::string ResolvedJson(const ResolvedConflict& resolved);

// {"take":"server"|"device"} or {"set":{"col":value,...}}; values are JSON strings,
// numbers or null. kInvalidArgument names what is wrong.
Result<ConflictDecision> ParseDecisionJson(std::string_view body);

}  // namespace q11::server
