// The bodies of Open311 GeoReport v2 answers (docs/open311.md), each built from what the
// queries return, ready to be written as XML or JSON (open311_document.h): discovery, the
// service list, a service definition, requests (with the extensions), a token, mySociety's
// updates, the answer to a POST, and the specification's errors. Also the projection of
// the workflow's statuses onto Open311's open/closed. Pure: no I/O.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "open311/open311_document.h"
#include "store/open311_reads.h"

namespace q11::server {

// "open" or "closed". Resolved counts as closed: the staff's work is done (the citizen may
// still reopen it, which makes it open again).
std::string_view ProjectedStatus(std::string_view status);
// The workflow statuses that project onto `projected`.
std::vector<std::string> DetailedStatuses(std::string_view projected);

// `endpoint_url`: where this API is, e.g. "http://host:8080/open311/v2".
Open311Element DiscoveryAnswer(const std::string& endpoint_url);
Open311Element ServicesAnswer(const std::vector<Open311Service>& services);
// REQUIRES: `code` is a known service.
Open311Element ServiceDefinitionAnswer(const std::string& code,
                                       const std::vector<Open311Ward>& wards);
// `now_ms` decides which requests are overdue (an extension).
Open311Element RequestsAnswer(const std::vector<Open311Request>& requests, bool extensions,
                              int64_t now_ms);
Open311Element TokenAnswer(const std::string& request_id, const std::string& token);
Open311Element UpdatesAnswer(const std::vector<Open311Update>& updates);
// The answer to a POST: the new request's id, its receipt code as the token, and a notice.
Open311Element PostAnswer(const std::string& request_id, const std::string& receipt_code,
                          const std::string& due_utc);
// GeoReport v2 errors: a list of one {code, description}; the code is the HTTP status.
Open311Element ErrorAnswer(int http_status, const std::string& description);

}  // namespace q11::server
