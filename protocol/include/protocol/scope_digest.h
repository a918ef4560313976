// Per-scope checksums (docs/protocol.md, "Verified convergence"): what lets a device prove
// that it holds exactly the rows the server says its scope has, without sending them.
//
// A row's digest is SHA-256 over a canonical encoding of its table name and its column
// values in the synced schema's column order, cut to 128 bits. A scope's sum is the row
// count and the sum of its rows' digests, modulo 2^64 in each half: order-independent, and
// a row's change is an O(1) update (remove the old digest, add the new one), so the server
// keeps it in the push transaction and the device can compute it by one scan.
//
// Both sides must encode a value the same way, so a value is encoded by its SQLite storage
// class as the pull changeset carries it: NULL, INTEGER (int64), REAL (the IEEE-754 bits),
// TEXT, BLOB. Pure code (it builds to WebAssembly).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "protocol/result.h"
#include "protocol/sha256.h"

namespace q11::wire {

struct Digest128 {
  uint64_t hi = 0, lo = 0;
  friend bool operator==(const Digest128&, const Digest128&) = default;
};

// The digest of one row: Begin(table), one Add*() per column in schema order, Finish().
class RowDigester {
 public:
  explicit RowDigester(std::string_view table);
  void AddNull();
  void AddInteger(int64_t v);
  void AddReal(double v);
  void AddText(std::string_view v);
  void AddBlob(std::string_view v);
  // REQUIRES: called once.
  Digest128 Finish();

 private:
  void Tagged(uint8_t tag, std::string_view bytes);
  Sha256 sha_;
};

// A scope's row count and digest sum. Remove() of a digest that was Add()ed restores the
// sum exactly (wrap-around arithmetic), whatever happened in between.
struct ScopeSum {
  uint64_t rows = 0;
  Digest128 sum;

  void Add(const Digest128& d);
  void Remove(const Digest128& d);
  // 32 lower-case hex characters (hi then lo), for logs, JSON and the q11 CLI.
  std::string Hex() const;
  friend bool operator==(const ScopeSum&, const ScopeSum&) = default;
};

// Parses Hex()'s form. InvalidArgument when it is not 32 hex characters.
Result<Digest128> ParseDigestHex(std::string_view hex);

}  // namespace q11::wire
