// SHA-256 (FIPS 180-4), the hash that names a photo's bytes on the device and the server
// (docs/protocol.md, "Photos"). Self-written so the device library compiles to WebAssembly
// without a crypto library. Pure code.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace q11 {

// Incremental: Update() any number of times, then Finish() once. Not thread-safe.
class Sha256 {
 public:
  using Digest = std::array<uint8_t, 32>;

  Sha256();
  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // The digest of everything given to Update(). REQUIRES: called once; Update() no more.
  Digest Finish();

  // Lower-case hex, 64 characters.
  static std::string Hex(const Digest& digest);
  // Hex(digest of `data`), in one call.
  static std::string HexOf(std::string_view data);

 private:
  void Block(const uint8_t* block);

  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buffer_{};
  size_t buffered_ = 0;
  uint64_t total_bytes_ = 0;
};

}  // namespace q11
