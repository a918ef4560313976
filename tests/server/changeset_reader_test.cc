#include <catch2/catch.hpp>

#include "server_test_support.h"
#include "sessioncorrupt_changeset.h"
#include "sync/push/changeset_reader.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

TEST_CASE("A session changeset reads back as rows with old and new values") {
  DeviceDb dev;
  std::string id = NewId();
  dev.Exec(InsertReportSql(id));
  std::string cs = dev.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + id + "'");
  auto read = ReadChangeset(cs);
  REQUIRE(read.ok());
  REQUIRE(read->tables.size() == 1);
  const TableChanges& t = read->tables[0];
  CHECK(t.table == "reports");
  CHECK(t.column_count == 20);
  CHECK(t.pk[0]);
  REQUIRE(t.rows.size() == 1);
  const RowChange& r = t.rows[0];
  CHECK(r.op == SQLITE_UPDATE);
  CHECK(r.old_values[0].text() == id);
  CHECK(r.old_values[9].text() == "new");
  CHECK(r.new_values[9].text() == "accepted");
  CHECK_FALSE(r.new_values[4].defined());  // title unchanged
}

TEST_CASE("Malformed changeset bytes are refused, never crash") {
  CHECK(ReadChangeset("").ok());
  CHECK(ReadChangeset("").value().tables.empty());
  for (std::string junk : {std::string("garbage"), std::string("T"), std::string("\x54\x02\x01", 3),
                           std::string("\x54\x7f\x01\x00reports", 11)}) {
    auto r = ReadChangeset(junk);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
  // Every truncation of a real changeset is refused cleanly.
  DeviceDb dev;
  std::string cs = dev.Capture(InsertReportSql(NewId()));
  for (size_t n = 1; n < cs.size(); ++n) {
    auto r = ReadChangeset(std::string_view(cs).substr(0, n));
    if (r.ok()) continue;  // a prefix can be a shorter valid changeset only at row ends
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
}

TEST_CASE("Regression: framing that makes SQLite 3.40.1's iterator spin or over-read is refused") {
  // sqlite3changeset_next loops forever on a table header whose name has no terminator
  // inside the buffer ("T" alone is enough); truncated varints are read past the end.
  struct Case {
    std::string bytes, message;
  };
  const Case cases[] = {
      {std::string("T"), "truncated varint"},
      {std::string("T\x01\x01reports", 10), "table name without terminator"},
      {std::string("T\x81", 2), "truncated varint"},
      {std::string("T\x00\x00", 3), "declares 0 columns"},
      {std::string("T\x01\x01t\x00\x12\x00\x03\x7f"
                   "ab",
                   11),
       "truncated text or blob"},
      {std::string("\x12\x00\x05", 3), "a change before any table header"},
      {std::string("P\x01\x01t\x00", 5), "patchset"},
      {std::string("T\x01\x01t\x00\x12\x00\x09", 8), "unknown value type 9"},
  };
  for (const Case& c : cases) {
    auto r = ReadChangeset(c.bytes);
    INFO(r.status().ToString());
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(r.status().message(), Catch::Contains(c.message));
  }
}

TEST_CASE("Regression: the 242-byte changeset of SQLite's sessioncorrupt.test is refused") {
  // Debian's SQLite 3.40.1 overflows its heap when this changeset is handed to
  // sqlite3changeset_apply: the second header re-declares table t with 64 columns.
  std::string_view crafted(kSessionCorruptChangeset, sizeof kSessionCorruptChangeset - 1);
  REQUIRE(crafted.size() == 242);
  auto r = ReadChangeset(crafted);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(r.status().message(), Catch::Contains("table t appears twice with different shapes"));
}

TEST_CASE("The same table declared twice with different shapes is refused") {
  DeviceDb dev;
  std::string a = dev.Capture(InsertReportSql(NewId()));
  DeviceDb narrow("CREATE TABLE reports (id TEXT PRIMARY KEY, kind TEXT, title TEXT)");
  std::string b = narrow.Capture("INSERT INTO reports VALUES ('" + NewId() + "', 'phan_anh', 'x')");
  auto r = ReadChangeset(a + b);
  REQUIRE_FALSE(r.ok());
  CHECK_THAT(r.status().message(), Catch::Contains("reports appears twice with different shapes"));
  // The same shape twice is fine (two changesets concatenated).
  std::string c = dev.Capture(InsertReportSql(NewId()));
  auto ok = ReadChangeset(a + c);
  REQUIRE(ok.ok());
  CHECK(ok->row_count == 2);
}

TEST_CASE("Randomly corrupted changesets are read or refused, never hang or crash") {
  DeviceDb dev;
  std::string id = NewId();
  dev.Exec(InsertReportSql(id));
  std::string base =
      dev.Capture(InsertReportSql(NewId()) +
                  "; UPDATE reports SET status = 'accepted' WHERE id = '" + id + "'");
  uint32_t rng = 12345;
  auto next = [&rng] { return rng = rng * 1103515245u + 12345u; };
  int refused = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bytes = base;
    int flips = 1 + static_cast<int>(next() % 4);
    for (int f = 0; f < flips; ++f) bytes[next() % bytes.size()] = static_cast<char>(next() >> 16);
    if (next() % 4 == 0) bytes.resize(next() % bytes.size());
    auto r = ReadChangeset(bytes);
    if (!r.ok()) {
      CHECK(r.status().code() == StatusCode::kInvalidArgument);
      ++refused;
    }
  }
  CHECK(refused > 0);
}
