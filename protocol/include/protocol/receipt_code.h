// Receipt codes (docs/workflow.md, "Receipts"): the short code a citizen gets when filing a
// report, even offline, to read aloud or type into the public lookup. "Q11-" then 8
// characters in two groups of four, e.g. "Q11-7KXM-42PA", from an alphabet without the
// characters people confuse (0/O, 1/I/L, U/V): 29 symbols, about 5e11 codes.
//
// The device makes one from its own randomness; the server keeps it when it is well
// formed and unused, otherwise assigns another (the device learns it at the next pull).
// Pure code: the caller supplies the random bytes.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace q11::receipt {

inline constexpr std::string_view kAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ";
inline constexpr size_t kCodeChars = 8;
// Random bytes a code is made from: more than kCodeChars, because bytes that would bias the
// alphabet are skipped (rejection sampling).
inline constexpr size_t kRandomBytes = 32;

// A canonical code ("Q11-XXXX-XXXX") from `random`; nullopt in the (astronomically
// unlikely) case too few bytes were usable: draw again.
std::optional<std::string> MakeCode(const std::array<uint8_t, kRandomBytes>& random);

// The canonical form of what a person typed: case, spaces, dashes and the "Q11" prefix are
// forgiven ("q11 7kxm 42pa", "7KXM42PA"); nullopt when it cannot be a code.
std::optional<std::string> Normalize(std::string_view typed);

// True for a canonical code.
bool IsCanonical(std::string_view code);

}  // namespace q11::receipt
