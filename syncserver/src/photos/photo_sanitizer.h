// What the server does to a photo before anyone but its author sees it: decode it with
// libvips (JPEG, PNG, WebP or HEIF only; no other loader is ever reached, so a hostile
// upload cannot steer us into SVG, PDF or ImageMagick), turn it upright by its EXIF
// orientation, and write it again without any metadata (EXIF, XMP, IPTC, GPS, ICC
// comments, maker notes: libvips's `strip`), plus a small JPEG thumbnail.
#pragma once

#include <cstdint>
#include <string>

#include "protocol/result.h"

namespace q11::server {

struct SanitizedPhoto {
  std::string mime;  // of the full version: image/png for PNG, image/webp for WebP, else JPEG
  int width = 0, height = 0;              // of the full version (upright)
  int thumb_width = 0, thumb_height = 0;  // longest edge photos::kThumbEdge (or less)
};

// Reads `original` and writes `full_out` and `thumb_out` (both replaced when they exist).
// kInvalidArgument when it is not an image of an accepted type, is over photos::kMaxPixels,
// or does not decode; kInternal when an output cannot be written.
Result<SanitizedPhoto> SanitizePhoto(const std::string& original, const std::string& full_out,
                                     const std::string& thumb_out);

}  // namespace q11::server
