// Identifiers and timestamps both sides make: UUIDv7 row ids (time-ordered, so rows made
// offline on different phones never collide and still sort by creation) and ISO-8601 UTC
// timestamps with milliseconds. Pure functions: the caller supplies the clock and the
// randomness, so tests control both.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace q11 {

// RFC 9562 UUIDv7 text (lowercase, 36 chars) from a Unix time in ms and 10 random bytes.
std::string MakeUuid7(int64_t unix_ms, const std::array<uint8_t, 10>& random);
// True for 36-char lowercase/uppercase hex UUID text of any version.
bool LooksLikeUuid(std::string_view s);

// "2026-11-27T09:24:22.123Z"
std::string FormatUtc(int64_t unix_ms);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z" (also "+00:00"); nullopt when malformed.
std::optional<int64_t> ParseUtc(std::string_view text);

}  // namespace q11
