#include "protocol/envelope.h"

#include <cstring>

#include "coding.h"
#include "crc32c.h"
#include "zstd_codec.h"

namespace q11::wire {

using internal::ByteReader;
using internal::ByteWriter;

const Section* Envelope::Find(uint8_t type) const {
  for (const Section& s : sections)
    if (s.type == type) return &s;
  return nullptr;
}

std::string EncodeEnvelope(const Envelope& env, int zstd_level) {
  ByteWriter w;
  w.Raw(std::string_view(kMagic, 4));
  w.U8(kVersion);
  w.U8(static_cast<uint8_t>(env.type));
  w.U16(static_cast<uint16_t>(env.sections.size()));
  for (const Section& s : env.sections) {
    std::string stored;
    Codec codec = Codec::kRaw;
    if (s.bytes.size() > kCompressThreshold) {
      stored = internal::ZstdCompress(s.bytes, zstd_level);
      if (!stored.empty() && stored.size() < s.bytes.size()) codec = Codec::kZstd;
    }
    const std::string& payload = codec == Codec::kZstd ? stored : s.bytes;
    w.U8(s.type);
    w.U8(static_cast<uint8_t>(codec));
    w.U16(0);
    w.U32(static_cast<uint32_t>(s.bytes.size()));
    w.U32(static_cast<uint32_t>(payload.size()));
    w.U32(internal::Crc32c(s.bytes));
    w.Raw(payload);
  }
  return std::move(w.str());
}

Result<Envelope> DecodeEnvelope(std::string_view bytes, const DecodeLimits& limits) {
  ByteReader r(bytes);
  std::string_view magic = r.Raw(4);
  if (!r.ok())
    return DataLoss("envelope truncated: " + std::to_string(bytes.size()) +
                    " bytes, header needs 8");
  if (std::memcmp(magic.data(), kMagic, 4) != 0) return DataLoss("not a Q11S envelope (bad magic)");
  uint8_t version = r.U8();
  uint8_t type = r.U8();
  uint16_t count = r.U16();
  if (!r.ok()) return DataLoss("envelope truncated in header");
  if (version != kVersion)
    return FailedPrecondition("unsupported protocol version " + std::to_string(version) +
                              " (this build speaks " + std::to_string(kVersion) + ")");
  if (type != static_cast<uint8_t>(MessageType::kSyncRequest) &&
      type != static_cast<uint8_t>(MessageType::kSyncResponse))
    return DataLoss("unknown message type " + std::to_string(type));
  if (count > limits.max_sections)
    return ResourceExhausted("envelope has " + std::to_string(count) + " sections, limit " +
                             std::to_string(limits.max_sections));

  Envelope env;
  env.type = static_cast<MessageType>(type);
  size_t total = 0;
  for (uint16_t i = 0; i < count; ++i) {
    const std::string where = "section " + std::to_string(i);
    uint8_t stype = r.U8();
    uint8_t codec = r.U8();
    uint16_t reserved = r.U16();
    uint32_t raw_len = r.U32();
    uint32_t stored_len = r.U32();
    uint32_t crc = r.U32();
    if (!r.ok()) return DataLoss(where + ": header truncated");
    if (reserved != 0) return DataLoss(where + ": reserved bits set");
    if (raw_len > limits.max_section_bytes)
      return ResourceExhausted(where + ": " + std::to_string(raw_len) +
                               " bytes decompressed, limit " +
                               std::to_string(limits.max_section_bytes));
    total += raw_len;
    if (total > limits.max_total_bytes)
      return ResourceExhausted("envelope decompresses to more than " +
                               std::to_string(limits.max_total_bytes) + " bytes");
    std::string_view stored = r.Raw(stored_len);
    if (!r.ok())
      return DataLoss(where + ": says " + std::to_string(stored_len) +
                      " bytes, envelope ends first");
    if (env.Find(stype) != nullptr)
      return DataLoss(where + ": type " + std::to_string(stype) + " repeated");

    Section s;
    s.type = stype;
    if (codec == static_cast<uint8_t>(Codec::kRaw)) {
      if (stored_len != raw_len)
        return DataLoss(where + ": raw section with two different lengths");
      s.bytes.assign(stored);
    } else if (codec == static_cast<uint8_t>(Codec::kZstd)) {
      Result<std::string> raw = internal::ZstdDecompress(stored, raw_len);
      if (!raw.ok()) return DataLoss(where + ": " + raw.status().message());
      s.bytes = std::move(raw).value();
    } else {
      return DataLoss(where + ": unknown codec " + std::to_string(codec));
    }
    if (internal::Crc32c(s.bytes) != crc) return DataLoss(where + ": checksum mismatch");
    env.sections.push_back(std::move(s));
  }
  if (r.remaining() != 0)
    return DataLoss(std::to_string(r.remaining()) + " trailing bytes after the last section");
  return env;
}

}  // namespace q11::wire
