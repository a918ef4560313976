// What the library-level integration tests share: a device database and a connection to
// the server, each REQUIREd to open. Header-only; included by integration tests only.
#pragma once

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "test_backend.h"

namespace q11::test {

// The first column of the first row of `sql` on the server's database, whichever backend
// (test_backend.h); `absent` when there is no row or it is NULL.
inline std::string ServerDbValue(const std::string& data_dir, const std::string& sql,
                                 const std::string& absent = "") {
  std::string error;
  auto rows = ServerRows(data_dir, sql, &error);
  INFO(sql << ": " << error);
  REQUIRE(rows.has_value());
  if (rows->empty() || (*rows)[0].empty() || !(*rows)[0][0]) return absent;
  return *(*rows)[0][0];
}

// The rows of `table` on the server (optionally WHERE `where`), ordered by id, as text:
// "v|v|...|\n" per row, "∅" for NULL — the form the tests' device dumps use.
inline std::string ServerDbDump(const std::string& data_dir, const std::string& table,
                                const std::string& where) {
  std::string error;
  auto rows = ServerRows(
      data_dir,
      "SELECT * FROM " + table + (where.empty() ? "" : " WHERE " + where) + " ORDER BY id", &error);
  INFO(error);
  REQUIRE(rows.has_value());
  std::string out;
  for (const TextRow& row : *rows) {
    for (const auto& v : row) out += (v ? *v : "∅") + "|";
    out += "\n";
  }
  return out;
}

inline std::unique_ptr<device::Database> OpenDevice(const std::string& path) {
  auto db = device::Database::Open(path);
  REQUIRE(db.ok());
  return std::move(db).value();
}

inline std::unique_ptr<device::Transport> Connect(const std::string& url) {
  auto t = device::MakeHttpTransport(url, 10000);
  REQUIRE(t.ok());
  return std::move(t).value();
}

}  // namespace q11::test
