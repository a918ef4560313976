// The device's copy of a row it inserted, where it differs from the stored row: the
// columns the server stamped (reporter, received and due times, receipt code, author),
// with the values the device sent. Kept in row_log.echo_base, so that the pull by that
// device can carry only those columns back, as an UPDATE, instead of the whole row the
// device already holds (pull_builder.h).
//
// Format (server-internal, never on the wire): a version byte 1, then per column its
// index (one byte), a type byte (SQLite's: 1 integer, 2 real, 3 text, 4 blob, 5 null) and
// the value: 8 bytes little-endian for integer and real, a 4-byte little-endian length and
// the bytes for text and blob, nothing for null.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/result.h"
#include "sync/sql_value.h"

namespace q11::server {

using ColumnValues = std::vector<std::pair<int, Value>>;

// Empty for no columns (the device holds the stored row exactly).
// REQUIRES: every column index < 256 and every value defined.
std::string EncodeEchoBase(const ColumnValues& columns);

// kDataLoss for bytes EncodeEchoBase did not make.
Result<ColumnValues> DecodeEchoBase(std::string_view bytes);

}  // namespace q11::server
