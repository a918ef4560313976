// Synced schema versions (protocol/schema_versions.h): the declared column counts are the
// DDL's, the wire carries the versions, and a pull narrowed for an older version applies to
// that version's tables (the fixture tests/fixtures/synced_tables_v1.sql).
#include <catch2/catch.hpp>

#include "fixtures.h"
#include "protocol/schema.h"
#include "protocol/schema_versions.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/changeset_narrowing.h"
#include "q11sqlite/sqlite.h"

using namespace q11;

namespace {

std::string V1Ddl() {
  std::string ddl = q11::test::SyncedTablesV1Ddl();
  REQUIRE_FALSE(ddl.empty());
  return ddl;
}

sql::Db OpenWith(const std::string& ddl) {
  auto db = sql::Db::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec(ddl).ok());
  return std::move(*db);
}

int ColumnCount(sql::Db& db, std::string_view table) {
  auto n = db.QueryText("SELECT count(*) FROM pragma_table_info('" + std::string(table) + "')");
  REQUIRE(n.ok());
  return std::stoi(n->value_or("0"));
}

std::string Capture(sql::Db& db, const std::string& sql,
                    const std::vector<std::string>& tables = {"reports", "case_events"}) {
  auto session = sql::Session::Create(db, tables);
  REQUIRE(session.ok());
  REQUIRE(db.Exec(sql).ok());
  auto cs = session->Changeset();
  REQUIRE(cs.ok());
  return *cs;
}

}  // namespace

TEST_CASE("schema versions: the declared column counts are those of the DDL of each version") {
  sql::Db now = OpenWith(std::string(schema::SyncedTablesSql()));
  sql::Db v1 = OpenWith(V1Ddl());
  for (std::string_view table : schema::kSyncedTables) {
    INFO(table);
    CHECK(schema::ColumnsIn(table, schema::kSyncedSchemaVersion) == ColumnCount(now, table));
    CHECK(schema::ColumnsIn(table, 1) == ColumnCount(v1, table));
  }
  CHECK(schema::VersionWithColumns("reports", 15) == 1);
  CHECK(schema::VersionWithColumns("reports", 20) == 3);  // unchanged since 2: the newest
  CHECK(schema::VersionWithColumns("photos", 11) == 3);
  CHECK(schema::VersionWithColumns("reports", 16) == 0);
  // The reference tables of the case life travel since version 3.
  CHECK(schema::ColumnsIn("holidays", 2) == 0);
  CHECK(schema::ColumnsIn("response_templates", 2) == 0);
  CHECK(schema::ColumnsIn("holidays", 3) == 3);
  CHECK(schema::ColumnsIn("response_templates", 3) == 4);
  CHECK(schema::ColumnsIn("reports", 4) == 0);
}

TEST_CASE("schema versions: the request declares them, the response may carry a notice") {
  wire::SyncRequest req;
  req.device_id = "phone";
  req.schema_version = 2;
  req.push = {{1, "a", 1}, {2, "b", 2}};
  auto back = wire::DecodeSyncRequest(wire::EncodeSyncRequest(req));
  REQUIRE(back.ok());
  CHECK(back->schema_version == 2);
  REQUIRE(back->push.size() == 2);
  CHECK(back->push[0].schema_version == 1);
  CHECK(back->push[1].schema_version == 2);
  // An app that declares nothing (before the declaration) decodes as 0: "not declared".
  req.schema_version = 0;
  back = wire::DecodeSyncRequest(wire::EncodeSyncRequest(req));
  REQUIRE(back.ok());
  CHECK(back->schema_version == 0);
  CHECK(back->push[0].schema_version == 0);

  wire::SyncResponse resp;
  resp.notice = "please update / vui lòng cập nhật";
  auto r = wire::DecodeSyncResponse(wire::EncodeSyncResponse(resp));
  REQUIRE(r.ok());
  CHECK(r->notice == resp.notice);
}

TEST_CASE("schema versions: a pull narrowed to version 1 applies to version 1's tables") {
  sql::Db server = OpenWith(std::string(schema::SyncedTablesSql()));
  std::string cs = Capture(
      server,
      "INSERT INTO reports VALUES ('r1', 'phan_anh', 'rac-thai', 'p04', 'Rác', 'Rác ba ngày', "
      "10.7, 106.6, NULL, 'new', NULL, '2026-12-01T09:00:00.000Z', 'cd-x', "
      "'2026-11-27T08:00:00.000Z', '2026-11-27T08:00:00.000Z', 'Q11-AAAA-BBBB', "
      "'2026-11-27T09:00:00.000Z', NULL, NULL, NULL);"
      "INSERT INTO case_events VALUES ('e1', 'r1', 'rating', NULL, 'tốt', NULL, 'cd-x', 'citizen', "
      "'2026-11-27T08:00:00.000Z', 5)");
  auto narrow =
      sql::NarrowChangeset(cs, [](std::string_view table) { return schema::ColumnsIn(table, 1); });
  REQUIRE(narrow.ok());
  sql::Db old = OpenWith(V1Ddl());
  auto omit_nothing = [](int, sqlite3_changeset_iter*) { return sql::ConflictAction::kAbort; };
  Status applied = sql::ApplyChangeset(old, *narrow, omit_nothing);
  INFO(applied.ToString());
  REQUIRE(applied.ok());
  CHECK(old.QueryText("SELECT title || '|' || due_at FROM reports")->value_or("") ==
        "Rác|2026-12-01T09:00:00.000Z");
  CHECK(old.QueryText("SELECT note FROM case_events")->value_or("") == "tốt");
  // The whole changeset, not narrowed, is what version 1's apply refuses.
  sql::Db other = OpenWith(V1Ddl());
  CHECK_FALSE(sql::ApplyChangeset(other, cs, omit_nothing).ok());

  SECTION("an update of columns version 1 lacks is left out; others keep their columns") {
    std::string update =
        Capture(server,
                "UPDATE reports SET receipt_code = 'Q11-CCCC-DDDD' WHERE id = 'r1';"
                "UPDATE reports SET status = 'accepted', expected_at = "
                "'2026-12-05T00:00:00.000Z' WHERE id = 'r1'");
    auto n = sql::NarrowChangeset(
        update, [](std::string_view table) { return schema::ColumnsIn(table, 1); });
    REQUIRE(n.ok());
    REQUIRE(sql::ApplyChangeset(old, *n, omit_nothing).ok());
    CHECK(old.QueryText("SELECT status FROM reports")->value_or("") == "accepted");
    auto only_receipt = sql::NarrowChangeset(
        Capture(server, "UPDATE reports SET receipt_code = 'Q11-EEEE-FFFF' WHERE id = 'r1'"),
        [](std::string_view table) { return schema::ColumnsIn(table, 1); });
    REQUIRE(only_receipt.ok());
    CHECK(only_receipt->empty());
  }
  SECTION("a table the reader lacks is left out, a cut key column refused") {
    auto none =
        sql::NarrowChangeset(cs, [](std::string_view t) { return t == "reports" ? 15 : 0; });
    REQUIRE(none.ok());
    sql::Db fresh = OpenWith(V1Ddl());
    REQUIRE(sql::ApplyChangeset(fresh, *none, omit_nothing).ok());
    CHECK(fresh.QueryText("SELECT count(*) FROM case_events")->value_or("") == "0");
    CHECK(fresh.QueryText("SELECT count(*) FROM reports")->value_or("") == "1");
    auto bad = sql::NarrowChangeset(cs, [](std::string_view) { return -1; });
    CHECK_FALSE(bad.ok());
  }
  SECTION("a version 2 pull leaves out holidays and templates, a version 3 pull keeps them") {
    std::string ref =
        Capture(server,
                "INSERT INTO holidays VALUES ('2027-09-03', 'Nghỉ bù', 'Day off');"
                "INSERT INTO response_templates VALUES ('moi', 'accepted', 'Mới', 'Nội dung');"
                "UPDATE reports SET status = 'accepted' WHERE id = 'r1'",
                {"reports", "holidays", "response_templates"});
    for (int version : {2, 3}) {
      INFO("version " << version);
      auto n = sql::NarrowChangeset(
          ref, [version](std::string_view table) { return schema::ColumnsIn(table, version); });
      REQUIRE(n.ok());
      sql::Db device = OpenWith(std::string(schema::SyncedTablesSql()));
      REQUIRE(device
                  .Exec("INSERT INTO reports VALUES ('r1', 'phan_anh', 'rac-thai', 'p04', 'Rác', "
                        "'x', NULL, NULL, NULL, 'new', NULL, NULL, NULL, 'a', 'a', NULL, NULL, "
                        "NULL, NULL, NULL)")
                  .ok());
      REQUIRE(sql::ApplyChangeset(device, *n, omit_nothing).ok());
      const std::string want = version == 3 ? "1" : "0";
      CHECK(device.QueryText("SELECT count(*) FROM holidays")->value_or("") == want);
      CHECK(device.QueryText("SELECT count(*) FROM response_templates")->value_or("") == want);
    }
  }
}
