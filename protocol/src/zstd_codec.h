// zstd compression of one section, with RAII contexts and a hard cap on the decompressed
// size: the expected size comes from the section header (untrusted), so the output buffer
// is never larger than that cap and a frame that claims or produces more is refused.
#pragma once

#include <string>
#include <string_view>

#include "protocol/result.h"

namespace q11::wire::internal {

std::string ZstdCompress(std::string_view raw, int level);
// Decompresses `compressed`, which must produce exactly `expected_size` bytes.
Result<std::string> ZstdDecompress(std::string_view compressed, size_t expected_size);

}  // namespace q11::wire::internal
