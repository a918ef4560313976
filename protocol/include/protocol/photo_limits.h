// Photo limits and formats, the one place both sides read them from: the device refuses to
// attach what the server would refuse, and the server enforces the same numbers on every
// photo row and upload (docs/protocol.md, "Photos").
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace q11::photos {

// Bytes of one original photo. Phones' JPEGs are 2-5 MiB; more is a 2G user's afternoon.
inline constexpr int64_t kMaxPhotoBytes = 8 * 1024 * 1024;
// Photos of one role (the citizen's `report` photos, the officials' `result` photos) per
// report.
inline constexpr int kMaxPhotosPerReport = 6;
// Longest edge of the thumbnail the server makes (JPEG).
inline constexpr int kThumbEdge = 320;
// Decoded size the server agrees to process: a decompression bomb stops here.
inline constexpr int64_t kMaxPixels = 64 * 1000 * 1000;

inline constexpr std::array<std::string_view, 2> kRoles = {"report", "result"};
inline constexpr std::array<std::string_view, 4> kMimeTypes = {"image/jpeg", "image/png",
                                                               "image/webp", "image/heic"};

// The image type of `head` (the first bytes of a file) from its magic number, or "" when
// it is none of kMimeTypes. 12 bytes are enough.
inline std::string_view SniffMime(std::string_view head) {
  auto at = [&](size_t i, std::string_view s) { return head.substr(i, s.size()) == s; };
  if (head.size() >= 3 && at(0, "\xFF\xD8\xFF")) return "image/jpeg";
  if (at(0, "\x89PNG\r\n\x1A\n")) return "image/png";
  if (at(0, "RIFF") && at(8, "WEBP")) return "image/webp";
  if (at(4, "ftyp") && (at(8, "heic") || at(8, "heix") || at(8, "mif1") || at(8, "msf1")))
    return "image/heic";
  return "";
}

// 64 lowercase hex digits.
inline bool IsSha256Hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace q11::photos
