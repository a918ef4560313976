// CRC-32C (Castagnoli), the checksum of each section's decompressed bytes.
#pragma once

#include <cstdint>
#include <string_view>

namespace q11::wire::internal {

// With the CPU's CRC32 instruction where it has one (x86-64 SSE4.2: eight bytes per
// instruction), else Crc32cPortable. Every sync checksums megabytes each way.
uint32_t Crc32c(std::string_view data);

// A byte at a time from a table: the reference the fast path is tested against.
uint32_t Crc32cPortable(std::string_view data);

}  // namespace q11::wire::internal
