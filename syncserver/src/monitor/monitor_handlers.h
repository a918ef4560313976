// The monitoring dashboard and its API (docs/monitoring.md, "HTTP API"), for leaders and
// admins:
//   GET /monitor, /monitor/...                         the page and its files (no account)
//   GET /v1/monitor/units?from=&to=                    units, categories, weeks, backlog
//   GET /v1/monitor/units.csv?from=&to=                the unit table as CSV
//   GET /v1/monitor/units/{id}/overdue?from=&to=       a unit's cases overdue now
//   GET /v1/monitor/cases.csv?from=&to=[&unit=]        the cases with every timestamp
//   GET /v1/monitor/cases/{id}                         one case's full history
// from/to are local days YYYY-MM-DD (default: the last 90 days). The API needs a leader's
// or an admin's bearer token: 401 without or with a bad one, 403 for other roles. Leaders
// are not bound to a unit (access_scope.h), so every leader sees the whole district.
#pragma once

#include <string>
#include <string_view>

#include "http/guarded_handler.h"

namespace q11::server {

// The handler for a /monitor or /v1/monitor/ path, an ErrorHandler (405) for such a path
// with another method than GET, or nullptr when `path` is not one (the router goes on).
// Poco takes ownership of what is returned.
Poco::Net::HTTPRequestHandler* RouteMonitor(const HandlerContext& context, std::string_view path,
                                            const std::string& method);

}  // namespace q11::server
