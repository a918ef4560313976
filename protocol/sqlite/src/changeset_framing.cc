#include "q11sqlite/changeset_framing.h"

#include <cstdint>
#include <string>

namespace q11::sql {
namespace {

class Walker {
 public:
  explicit Walker(std::string_view b) : b_(b) {}

  Status Run() {
    int ncol = -1;  // no table header yet
    while (pos_ < b_.size()) {
      uint8_t tag = Byte();
      if (tag == 'T') {
        Q11_RETURN_IF_ERROR(Header(&ncol));
      } else if (tag == 'P') {
        return Bad("a patchset; only changesets are accepted");
      } else if (tag == kInsert || tag == kUpdate || tag == kDelete) {
        if (ncol < 0) return Bad("a change before any table header");
        if (pos_ >= b_.size()) return Bad("truncated change");
        uint8_t indirect = Byte();
        if (indirect > 1) return Bad("bad indirect flag");
        int records = tag == kUpdate ? 2 : 1;
        for (int r = 0; r < records; ++r)
          for (int c = 0; c < ncol; ++c) Q11_RETURN_IF_ERROR(Value());
      } else {
        --pos_;
        return Bad("unknown record type " + std::to_string(tag));
      }
    }
    return Status::Ok();
  }

 private:
  static constexpr uint8_t kInsert = 18, kUpdate = 23, kDelete = 9;

  uint8_t Byte() { return static_cast<uint8_t>(b_[pos_++]); }

  Status Bad(const std::string& what) const {
    return InvalidArgument("malformed changeset at byte " + std::to_string(pos_) + ": " + what);
  }

  // SQLite's varint: up to 9 bytes, 7 bits each with a continuation bit, the 9th byte
  // whole. Only lengths and counts use it here, so values over 2^31 are refused.
  Status Varint(uint64_t* out) {
    uint64_t v = 0;
    for (int i = 0; i < 9; ++i) {
      if (pos_ >= b_.size()) return Bad("truncated varint");
      uint8_t c = Byte();
      if (i == 8) {
        v = (v << 8) | c;
        break;
      }
      v = (v << 7) | (c & 0x7f);
      if ((c & 0x80) == 0) break;
    }
    if (v > INT32_MAX) return Bad("length out of range");
    *out = v;
    return Status::Ok();
  }

  Status Header(int* ncol) {
    uint64_t n = 0;
    Q11_RETURN_IF_ERROR(Varint(&n));
    if (n == 0 || n > static_cast<uint64_t>(kMaxChangesetColumns))
      return Bad("table header declares " + std::to_string(n) + " columns");
    // One byte per column: 0, or the column's position in the primary key (1, 2, ...).
    if (b_.size() - pos_ < n) return Bad("truncated key flags");
    pos_ += static_cast<size_t>(n);
    size_t end = b_.find('\0', pos_);
    if (end == std::string_view::npos) return Bad("table name without terminator");
    if (end == pos_) return Bad("empty table name");
    pos_ = end + 1;
    *ncol = static_cast<int>(n);
    return Status::Ok();
  }

  Status Value() {
    if (pos_ >= b_.size()) return Bad("truncated record");
    uint8_t type = Byte();
    switch (type) {
      case 0:  // undefined
      case 5:  // NULL
        return Status::Ok();
      case 1:  // integer
      case 2:  // real
        if (b_.size() - pos_ < 8) return Bad("truncated number");
        pos_ += 8;
        return Status::Ok();
      case 3:    // text
      case 4: {  // blob
        uint64_t n = 0;
        Q11_RETURN_IF_ERROR(Varint(&n));
        if (b_.size() - pos_ < n) return Bad("truncated text or blob");
        pos_ += static_cast<size_t>(n);
        return Status::Ok();
      }
      default:
        --pos_;
        return Bad("unknown value type " + std::to_string(type));
    }
  }

  std::string_view b_;
  size_t pos_ = 0;
};

}  // namespace

Status CheckChangesetFraming(std::string_view bytes) { return Walker(bytes).Run(); }

}  // namespace q11::sql
