// Fixed-width little-endian integers and length-prefixed byte strings: all the encoding the
// protocol uses, in one place. ByteReader never reads past its input; every getter reports
// a truncated input through ok().
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace q11::wire::internal {

class ByteWriter {
 public:
  void U8(uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void U16(uint16_t v) { Fixed(v, 2); }
  void U32(uint32_t v) { Fixed(v, 4); }
  void U64(uint64_t v) { Fixed(v, 8); }
  void Bytes(std::string_view b) {  // u32 length, then the bytes
    U32(static_cast<uint32_t>(b.size()));
    out_.append(b);
  }
  void Raw(std::string_view b) { out_.append(b); }
  std::string& str() { return out_; }

 private:
  void Fixed(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view in) : in_(in) {}
  bool ok() const { return ok_; }
  size_t remaining() const { return in_.size() - pos_; }
  size_t position() const { return pos_; }

  uint8_t U8() { return static_cast<uint8_t>(Fixed(1)); }
  uint16_t U16() { return static_cast<uint16_t>(Fixed(2)); }
  uint32_t U32() { return static_cast<uint32_t>(Fixed(4)); }
  uint64_t U64() { return Fixed(8); }
  // A u32-length-prefixed string of at most max_len bytes; "" and !ok() when it does not fit.
  std::string_view Bytes(size_t max_len) {
    uint32_t n = U32();
    if (!ok_ || n > max_len) return Fail();
    return Raw(n);
  }
  std::string_view Raw(size_t n) {
    if (!ok_ || n > remaining()) return Fail();
    std::string_view v = in_.substr(pos_, n);
    pos_ += n;
    return v;
  }

 private:
  std::string_view Fail() {
    ok_ = false;
    pos_ = in_.size();
    return {};
  }
  uint64_t Fixed(int n) {
    if (!ok_ || static_cast<size_t>(n) > remaining()) {
      Fail();
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < n; ++i)
      v |= static_cast<uint64_t>(static_cast<uint8_t>(in_[pos_ + i])) << (8 * i);
    pos_ += n;
    return v;
  }
  std::string_view in_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace q11::wire::internal
