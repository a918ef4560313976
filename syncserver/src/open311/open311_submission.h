// The fields of an Open311 POST of a service request (GeoReport v2, "POST Service
// Request"), checked and mapped onto a report (docs/open311.md, "Field mapping"):
// service_code → category; attribute[ward] (required), attribute[kind], attribute[title];
// lat + long or address_string for the location (address_id is not supported: there is no
// address register to resolve it); description and media_url → the report's description;
// email, first_name, last_name, phone → the sealed contact. device_id and account_id are
// accepted and not kept. Anything else is refused with a message naming it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "open311/open311_filer.h"
#include "protocol/result.h"
#include "store/open311_reads.h"

namespace q11::server {

// `fields`: the decoded form, without api_key and jurisdiction_id (checked by the caller).
// kInvalidArgument (English / Vietnamese) for the first problem found.
Result<Open311Submission> ParseOpen311Submission(const std::map<std::string, std::string>& fields,
                                                 const std::vector<Open311Service>& services,
                                                 const std::vector<Open311Ward>& wards);

}  // namespace q11::server
