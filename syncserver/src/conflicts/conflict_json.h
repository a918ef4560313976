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
//  "user","device_id","created_at","state","resolved_at","resolved_by"}]}
std::string ConflictListJson(const std::vector<ConflictSummary>& conflicts);
// {"id","table","row_id","operation",...,"row_seq","current_seq","row_changed",
//  "columns":[{"column","base","device","server"}],"resolution":null|{"by","at","decision","values"}}
std::string ConflictDetailJson(const ConflictDetail& conflict);
// {"id","state":"resolved","server_seq"}
std::string ResolvedJson(const ResolvedConflict& resolved);

// {"take":"server"|"device"} or {"set":{"col":value,...}}; values are JSON strings,
// numbers or null. kInvalidArgument names what is wrong.
Result<ConflictDecision> ParseDecisionJson(std::string_view body);

}  // namespace q11::server
