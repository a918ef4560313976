// The shared changeset shape check (q11sqlite/changeset_shape_check.h) on its own: each
// refusal names its problem and table; what the synced schema itself produces passes.
#include <catch2/catch.hpp>

#include "../server/sessioncorrupt_changeset.h"
#include "protocol/schema.h"
#include "q11sqlite/changeset_shape_check.h"

using namespace q11;
using namespace q11::sql;

namespace {

Db Open(const std::string& ddl) {
  auto db = Db::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec(ddl).ok());
  return std::move(db).value();
}

std::string Capture(const std::string& ddl, const std::string& table, const std::string& sql) {
  Db db = Open(ddl);
  auto session = Session::Create(db, {table});
  REQUIRE(session.ok());
  REQUIRE(db.Exec(sql).ok());
  auto cs = session->Changeset();
  REQUIRE(cs.ok());
  return *cs;
}

SyncableTables Live(Db& db) {
  std::vector<std::string> names(schema::kSyncedTables.begin(), schema::kSyncedTables.end());
  auto live = SyncableTables::Load(db, names);
  REQUIRE(live.ok());
  return *live;
}

const char* kUnit =
    "INSERT INTO units (id, parent_id, kind, name_vi, name_en) VALUES ('p99', 'q11', 'ward', "
    "'Phường 99', 'Ward 99')";

}  // namespace

TEST_CASE("Shape check: changesets of the synced schema pass, others are refused by name") {
  Db device = Open(std::string(schema::SyncedTablesSql()));
  SyncableTables live = Live(device);
  const std::string synced(schema::SyncedTablesSql());

  std::string good = Capture(synced, "units", kUnit);
  CHECK_FALSE(CheckChangesetShape(good, live).has_value());
  CHECK_FALSE(CheckChangesetShape(good + good, live).has_value());  // same shape twice
  CHECK_FALSE(CheckChangesetShape("", live).has_value());

  auto other = CheckChangesetShape(
      Capture("CREATE TABLE t (id TEXT PRIMARY KEY)", "t", "INSERT INTO t VALUES ('a')"), live);
  REQUIRE(other.has_value());
  CHECK(other->problem == ShapeProblem::kNotSynced);
  CHECK(other->table == "t");
  CHECK(other->English(kDeviceSide) == "unknown table t");

  auto wide = CheckChangesetShape(
      Capture(synced + ";ALTER TABLE units ADD COLUMN x TEXT", "units", kUnit), live);
  REQUIRE(wide.has_value());
  CHECK(wide->problem == ShapeProblem::kColumnCount);
  CHECK(wide->English(kServerSide) ==
        "table units has 6 columns in the changeset, 5 on the server");
  CHECK(wide->Vietnamese(kDeviceSide) == "số cột của bảng units không khớp với thiết bị này");

  auto key = CheckChangesetShape(
      Capture("CREATE TABLE units (id TEXT, parent_id TEXT, kind TEXT, name_vi TEXT, name_en "
              "TEXT, PRIMARY KEY (id, kind))",
              "units", kUnit),
      live);
  REQUIRE(key.has_value());
  CHECK(key->problem == ShapeProblem::kPrimaryKey);
  CHECK(key->table == "units");

  std::string narrow = Capture("CREATE TABLE units (id TEXT PRIMARY KEY, kind TEXT)", "units",
                               "INSERT INTO units VALUES ('p98', 'ward')");
  auto twice = CheckChangesetShape(good + narrow, live);
  REQUIRE(twice.has_value());
  CHECK(twice->problem == ShapeProblem::kDeclaredTwice);
  CHECK(twice->English(kDeviceSide) ==
        "table units appears twice with different shapes (5 columns, key at 0 vs 2 columns, key "
        "at 0)");
  CHECK(twice->ToStatus(StatusCode::kDataLoss, kDeviceSide).code() == StatusCode::kDataLoss);

  auto broken = CheckChangesetShape("T", live);
  REQUIRE(broken.has_value());
  CHECK(broken->problem == ShapeProblem::kMalformed);
}

TEST_CASE("Shape check: the sessioncorrupt.test changeset is refused at its second header") {
  Db device = Open(std::string(schema::SyncedTablesSql()));
  std::string crafted(kSessionCorruptChangeset, sizeof kSessionCorruptChangeset - 1);
  // Even by a side that syncs a table "t" of the first header's shape.
  Db t = Open("CREATE TABLE t (a PRIMARY KEY, b)");
  auto live = SyncableTables::Load(t, {"t"});
  REQUIRE(live.ok());
  auto e = CheckChangesetShape(crafted, *live);
  REQUIRE(e.has_value());
  CHECK(e->problem == ShapeProblem::kDeclaredTwice);
  CHECK(e->table == "t");
  auto e2 = CheckChangesetShape(crafted, Live(device));
  REQUIRE(e2.has_value());
  CHECK(e2->problem == ShapeProblem::kDeclaredTwice);
  // Its variant on a synced table: the first header fits the live schema, the second not.
  auto e3 = CheckChangesetShape(SessionCorruptUnitsChangeset(), Live(device));
  REQUIRE(e3.has_value());
  CHECK(e3->problem == ShapeProblem::kDeclaredTwice);
  CHECK(e3->table == "units");
}

TEST_CASE("Shape check: a syncable table missing from the database is a failed precondition") {
  Db db = Open("CREATE TABLE units (id TEXT PRIMARY KEY)");
  auto live = SyncableTables::Load(db, {"units", "reports"});
  REQUIRE_FALSE(live.ok());
  CHECK(live.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(live.status().message(), Catch::Contains("reports"));
}
