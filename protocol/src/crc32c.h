// CRC-32C (Castagnoli), the checksum of each section's decompressed bytes.
#pragma once

#include <cstdint>
#include <string_view>

namespace q11::wire::internal {
uint32_t Crc32c(std::string_view data);
}
