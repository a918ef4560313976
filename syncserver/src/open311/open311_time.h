// Times of the Open311 API: ISO-8601 (W3C profile) with a time zone, as GeoReport v2 asks.
// The server stores UTC ("2026-11-27T09:24:22.123Z"); answers give Vietnam's local time
// with its offset ("2026-11-27T16:24:22+07:00", Asia/Ho_Chi_Minh has no daylight saving).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace q11::server {

// "YYYY-MM-DDTHH:MM:SS[.fff]" followed by "Z" or "+HH:MM" / "-HH:MM"; Unix milliseconds,
// nullopt when malformed or without a zone.
std::optional<int64_t> ParseOpen311Time(std::string_view text);

// A stored UTC time in Vietnam's local time with "+07:00"; "" for "" or an unreadable value.
std::string FormatOpen311Time(std::string_view stored_utc);

}  // namespace q11::server
