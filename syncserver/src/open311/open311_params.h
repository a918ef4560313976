// The parameters of Open311's GET methods (docs/open311.md): comma lists, the paging
// extension (page, page_size) and the date window (start_date, end_date: ISO-8601 with a
// zone, at most 90 days apart, the last 90 days by default), each checked with a message
// naming what is wrong, in English and Vietnamese.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "protocol/result.h"

namespace q11::server {

// At most 1000 requests per answer (GeoReport v2), and at most 100 values in a comma list.
inline constexpr int kOpen311MaxPageSize = 1000;

// The values of the comma list `name` (spaces around items dropped; none when absent).
// kInvalidArgument for more than 100 values or one longer than 64 bytes.
Result<std::vector<std::string>> ListParam(const std::map<std::string, std::string>& params,
                                           const char* name);

// page (from 1) and page_size (1-1000, default 1000) as a LIMIT and an OFFSET.
Status ParsePaging(const std::map<std::string, std::string>& params, int* limit, int* offset);

// start_date / end_date as stored UTC text ("" for no bound). A range may not span more
// than 90 days. With `windowed` (no ids narrow the search) a lone start_date reaches 90
// days on, a lone end_date 90 days back, and no date means the last 90 days before
// `now_ms`.
Status ParseDates(const std::map<std::string, std::string>& params, int64_t now_ms, bool windowed,
                  std::string* since, std::string* until);

}  // namespace q11::server
