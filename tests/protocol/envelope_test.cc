#include "protocol/envelope.h"

#include <catch2/catch.hpp>
#include <random>

#include "crc32c.h"

using namespace q11;
using namespace q11::wire;

namespace {
Envelope Sample() {
  Envelope env;
  env.type = MessageType::kSyncResponse;
  env.sections.push_back({1, "short"});
  env.sections.push_back({2, std::string(5000, 'x') + "Phường 4, Quận 11 — ngập nước"});
  return env;
}
}  // namespace

TEST_CASE("CRC-32C matches the published check value") {
  CHECK(internal::Crc32c("123456789") == 0xE3069283u);
  CHECK(internal::Crc32c("") == 0u);
  CHECK(internal::Crc32cPortable("123456789") == 0xE3069283u);
}

TEST_CASE("CRC-32C's fast path equals the table at every length and alignment") {
  std::string bytes;
  uint32_t x = 2463534242u;  // xorshift: fixed pseudo-random bytes
  for (int i = 0; i < 4096 + 64; ++i) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    bytes.push_back(static_cast<char>(x));
  }
  for (size_t offset = 0; offset < 9; ++offset)
    for (size_t len : {0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4096}) {
      std::string_view piece(bytes.data() + offset, len);
      INFO("offset " << offset << " length " << len);
      CHECK(internal::Crc32c(piece) == internal::Crc32cPortable(piece));
    }
}

TEST_CASE("An envelope round-trips, compressing only large sections") {
  std::string bytes = EncodeEnvelope(Sample());
  CHECK(bytes.size() < 5000);  // the repetitive section was compressed
  auto env = DecodeEnvelope(bytes);
  REQUIRE(env.ok());
  REQUIRE(env->sections.size() == 2);
  CHECK(env->type == MessageType::kSyncResponse);
  CHECK(env->sections[0].bytes == "short");
  CHECK(env->sections[1].bytes == Sample().sections[1].bytes);
  CHECK(static_cast<uint8_t>(bytes[8 + 1]) == 0);  // first section raw
  CHECK(env->Find(2) != nullptr);
  CHECK(env->Find(9) == nullptr);
}

TEST_CASE("Every truncation of a valid envelope is a clean DataLoss") {
  std::string bytes = EncodeEnvelope(Sample());
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto env = DecodeEnvelope(std::string_view(bytes).substr(0, n));
    REQUIRE_FALSE(env.ok());
    CHECK(env.status().code() == StatusCode::kDataLoss);
  }
}

TEST_CASE("Corrupted bytes never decode silently") {
  std::string good = EncodeEnvelope(Sample());
  std::mt19937 rng(7);
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bad = good;
    size_t pos = 8 + rng() % (bad.size() - 8);
    bad[pos] = static_cast<char>(bad[pos] ^ (1 + rng() % 255));
    auto env = DecodeEnvelope(bad);
    if (!env.ok()) {
      ++rejected;
      continue;
    }
    // If a flip survived decoding (e.g. in zstd padding), the payload must still be intact.
    CHECK(env->sections[1].bytes == Sample().sections[1].bytes);
  }
  CHECK(rejected > 1900);
}

TEST_CASE("Wrong magic, wrong version and unknown codec are typed errors") {
  std::string bytes = EncodeEnvelope(Sample());
  std::string magic = bytes;
  magic[0] = 'X';
  CHECK(DecodeEnvelope(magic).status().code() == StatusCode::kDataLoss);
  std::string version = bytes;
  version[4] = 9;
  auto v = DecodeEnvelope(version);
  CHECK(v.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(v.status().message(), Catch::Contains("version 9"));
  std::string codec = bytes;
  codec[8 + 1] = 7;
  CHECK_THAT(DecodeEnvelope(codec).status().message(), Catch::Contains("unknown codec"));
}

TEST_CASE("Oversized sections are refused before decompression") {
  Envelope env;
  env.sections.push_back({1, std::string(1 << 20, 'a')});  // 1 MiB of 'a' compresses to ~100 bytes
  std::string bytes = EncodeEnvelope(env);
  CHECK(bytes.size() < 1000);
  DecodeLimits tight;
  tight.max_section_bytes = 64 * 1024;
  auto r = DecodeEnvelope(bytes, tight);
  CHECK(r.status().code() == StatusCode::kResourceExhausted);
  DecodeLimits total;
  total.max_total_bytes = 1000;
  CHECK(DecodeEnvelope(bytes, total).status().code() == StatusCode::kResourceExhausted);
  CHECK(DecodeEnvelope(bytes).ok());
}

TEST_CASE("A zip bomb that lies about its size is refused") {
  Envelope env;
  env.sections.push_back({1, std::string(1 << 20, 'a')});
  std::string bytes = EncodeEnvelope(env);
  // Claim a smaller decompressed size than the frame really produces.
  bytes[8 + 4] = 0x10;
  bytes[8 + 5] = 0;
  bytes[8 + 6] = 0;
  bytes[8 + 7] = 0;
  auto r = DecodeEnvelope(bytes);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kDataLoss);
}

TEST_CASE("Repeated sections, too many sections and trailing bytes are refused") {
  Envelope env;
  env.sections.push_back({1, "a"});
  env.sections.push_back({1, "b"});
  CHECK_THAT(DecodeEnvelope(EncodeEnvelope(env)).status().message(), Catch::Contains("repeated"));
  Envelope many;
  for (int i = 0; i < 17; ++i) many.sections.push_back({static_cast<uint8_t>(i), "x"});
  CHECK(DecodeEnvelope(EncodeEnvelope(many)).status().code() == StatusCode::kResourceExhausted);
  std::string trailing = EncodeEnvelope(Sample()) + "!";
  CHECK_THAT(DecodeEnvelope(trailing).status().message(), Catch::Contains("trailing"));
}
