// The versioned, length-prefixed envelope every sync message travels in.
//
// An envelope is a fixed 8-byte header followed by sections; each section carries its own
// codec (raw or zstd), decompressed length and CRC-32C. Decoding treats the bytes as hostile:
// every length is checked against what is left and against DecodeLimits before anything is
// allocated or decompressed, and every failure is a typed Status (kDataLoss for corrupt or
// truncated bytes, kResourceExhausted for sizes over the limits, kFailedPrecondition for a
// version this build does not speak). The byte layout is in docs/protocol.md; the constants
// below are the same numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"

namespace q11::wire {

inline constexpr char kMagic[4] = {'Q', '1', '1', 'S'};
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kEnvelopeHeaderSize = 8;
inline constexpr size_t kSectionHeaderSize = 16;

enum class MessageType : uint8_t { kSyncRequest = 1, kSyncResponse = 2 };

enum class Codec : uint8_t { kRaw = 0, kZstd = 1 };

struct Section {
  uint8_t type = 0;
  std::string bytes;  // decompressed payload
};

struct Envelope {
  MessageType type = MessageType::kSyncRequest;
  std::vector<Section> sections;
  // REQUIRES: at most one section of each type. Returns nullptr when absent.
  const Section* Find(uint8_t type) const;
};

struct DecodeLimits {
  size_t max_sections = 16;
  size_t max_section_bytes = 64u << 20;  // decompressed, per section
  size_t max_total_bytes = 96u << 20;    // decompressed, whole envelope
};

// Sections larger than this are zstd-compressed; smaller ones are stored raw.
inline constexpr size_t kCompressThreshold = 64;

// Encodes `env`. zstd_level 1..19; the default matches what the server and devices use.
std::string EncodeEnvelope(const Envelope& env, int zstd_level = 3);

// Decodes hostile bytes into an Envelope. Never reads past `bytes`, never allocates more
// than the limits allow. Unknown section types are kept (callers ignore what they do not
// know, for forward compatibility); a section type that appears twice is an error.
Result<Envelope> DecodeEnvelope(std::string_view bytes, const DecodeLimits& limits = {});

}  // namespace q11::wire
