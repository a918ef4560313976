#include "protocol/scope_digest.h"

#include <cstring>

namespace q11::wire {

namespace {

// Value tags: a NULL and an empty text, or the integer 1 and the real 1.0, must differ.
enum : uint8_t { kNull = 0, kInteger = 1, kReal = 2, kText = 3, kBlob = 4, kTable = 5 };

void PutU64(uint64_t v, uint8_t* out) {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<uint8_t>(v >> (8 * i));
}

uint64_t GetU64BigEndian(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

RowDigester::RowDigester(std::string_view table) { Tagged(kTable, table); }

void RowDigester::Tagged(uint8_t tag, std::string_view bytes) {
  // Tag, then a length so that no two different rows encode to the same bytes.
  uint8_t head[9];
  head[0] = tag;
  PutU64(bytes.size(), head + 1);
  sha_.Update(head, sizeof head);
  sha_.Update(bytes);
}

void RowDigester::AddNull() { Tagged(kNull, {}); }

void RowDigester::AddInteger(int64_t v) {
  uint8_t b[8];
  PutU64(static_cast<uint64_t>(v), b);
  Tagged(kInteger, std::string_view(reinterpret_cast<const char*>(b), 8));
}

void RowDigester::AddReal(double v) {
  uint64_t bits;  // std::bit_cast is missing from the WebAssembly build's libc++
  std::memcpy(&bits, &v, sizeof bits);
  uint8_t b[8];
  PutU64(bits, b);
  Tagged(kReal, std::string_view(reinterpret_cast<const char*>(b), 8));
}

void RowDigester::AddText(std::string_view v) { Tagged(kText, v); }

void RowDigester::AddBlob(std::string_view v) { Tagged(kBlob, v); }

Digest128 RowDigester::Finish() {
  const Sha256::Digest d = sha_.Finish();
  return Digest128{GetU64BigEndian(d.data()), GetU64BigEndian(d.data() + 8)};
}

void ScopeSum::Add(const Digest128& d) {
  ++rows;
  sum.hi += d.hi;
  sum.lo += d.lo;
}

void ScopeSum::Remove(const Digest128& d) {
  --rows;
  sum.hi -= d.hi;
  sum.lo -= d.lo;
}

std::string ScopeSum::Hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[15 - i] = kDigits[(sum.hi >> (4 * i)) & 15];
    out[31 - i] = kDigits[(sum.lo >> (4 * i)) & 15];
  }
  return out;
}

Result<Digest128> ParseDigestHex(std::string_view hex) {
  if (hex.size() != 32) return InvalidArgument("a scope checksum is 32 hex characters");
  Digest128 d;
  for (size_t i = 0; i < 32; ++i) {
    const char c = hex[i];
    uint64_t v;
    if (c >= '0' && c <= '9')
      v = static_cast<uint64_t>(c - '0');
    else if (c >= 'a' && c <= 'f')
      v = static_cast<uint64_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F')
      v = static_cast<uint64_t>(c - 'A' + 10);
    else
      return InvalidArgument("a scope checksum is 32 hex characters");
    uint64_t& half = i < 16 ? d.hi : d.lo;
    half = (half << 4) | v;
  }
  return d;
}

}  // namespace q11::wire
