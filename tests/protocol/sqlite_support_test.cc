#include <catch2/catch.hpp>

#include "protocol/schema.h"
#include "q11sqlite/sqlite.h"

using namespace q11;
using namespace q11::sql;

namespace {
Db SyncedDb() {
  Db db = std::move(Db::Open(":memory:")).value();
  REQUIRE(db.Exec(std::string(schema::SyncedTablesSql())).ok());
  REQUIRE(db.Exec(std::string(schema::ReferenceDataSql())).ok());
  return db;
}

std::string CaptureInsert(Db& db, const std::string& id, const std::string& title) {
  Session s = std::move(Session::Create(db, {"reports", "case_events"})).value();
  auto st = db.Prepare(
      "INSERT INTO reports (id, kind, category_id, ward_id, title, description, status, "
      "created_at, "
      "updated_at) VALUES (?, 'phan_anh', 'ngap-nuoc', 'p04', ?, 'mô tả', 'new', 'now', 'now')");
  REQUIRE(st.ok());
  REQUIRE(st->Bind(1, id).Bind(2, title).Run().ok());
  return std::move(s.Changeset()).value();
}

ConflictHandler Replace() {
  return [](int, sqlite3_changeset_iter*) { return ConflictAction::kReplace; };
}
}  // namespace

TEST_CASE("Reference data loads: 23 units and 13 categories with Vietnamese names") {
  Db db = SyncedDb();
  CHECK(db.QueryText("SELECT count(*) FROM units")->value() == "23");
  CHECK(db.QueryText("SELECT count(*) FROM categories")->value() == "13");
  CHECK(db.QueryText("SELECT name_vi FROM units WHERE id='q11'")->value() == "Quận 11");
}

TEST_CASE("A captured changeset applies elsewhere and its inverse undoes it") {
  Db a = SyncedDb();
  std::string cs = CaptureInsert(a, "r1", "Ngập nước đường Lạc Long Quân");
  REQUIRE_FALSE(cs.empty());
  CHECK(ChangesetTables(cs)->at(0) == "reports");

  Db b = SyncedDb();
  REQUIRE(ApplyChangeset(b, cs, Replace()).ok());
  CHECK(b.QueryText("SELECT title FROM reports WHERE id='r1'")->value() ==
        "Ngập nước đường Lạc Long Quân");
  REQUIRE(ApplyChangeset(b, *InvertChangeset(cs), Replace()).ok());
  CHECK(b.QueryText("SELECT count(*) FROM reports")->value() == "0");
}

TEST_CASE("A changeset for a table the database lacks is an error, not a silent skip") {
  Db a = SyncedDb();
  std::string cs = CaptureInsert(a, "r1", "t");
  Db empty = std::move(Db::Open(":memory:")).value();
  Status s = ApplyChangeset(empty, cs, Replace());
  CHECK(s.code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(s.message(), Catch::Contains("reports"));
}

TEST_CASE("Malformed changeset bytes are reported, never applied") {
  CHECK(ChangesetTables("garbage bytes").status().code() == StatusCode::kDataLoss);
}

TEST_CASE("A transaction rolls back unless committed") {
  Db db = SyncedDb();
  {
    auto tx = Transaction::Begin(db);
    REQUIRE(tx.ok());
    REQUIRE(db.Exec("DELETE FROM units").ok());
  }
  CHECK(db.QueryText("SELECT count(*) FROM units")->value() == "23");
  {
    auto sp = Savepoint::Begin(db, "sp1");
    REQUIRE(db.Exec("DELETE FROM categories").ok());
    REQUIRE(sp->Rollback().ok());
  }
  CHECK(db.QueryText("SELECT count(*) FROM categories")->value() == "13");
}

TEST_CASE("Bytes that hang SQLite 3.40.1's changeset iterator are refused up front") {
  // An unterminated table name: sqlite3changeset_next would spin forever on it.
  CHECK(ChangesetTables("T").status().code() == StatusCode::kDataLoss);
  CHECK(ChangesetTables(std::string("T\x03\x01\x00\x00reports", 10)).status().code() ==
        StatusCode::kDataLoss);
  Db db = SyncedDb();
  CHECK(ApplyChangeset(db, "T", Replace()).code() == StatusCode::kDataLoss);
}
