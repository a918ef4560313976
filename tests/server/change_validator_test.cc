// The write rules, checked through the real store (validation runs inside Push) and, for
// the shape checks, directly against the live schema.
#include <catch2/catch.hpp>

#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "sessioncorrupt_changeset.h"
#include "sync/push/change_validator.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

// A report filed by the fixture's citizen, already on the server.
std::string FiledReport(StoreFixture& f, const std::string& ward) {
  DeviceDb phone;
  std::string id = NewId();
  auto v = f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id, ward)));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  return id;
}

}  // namespace

TEST_CASE("A table the server does not sync is refused") {
  StoreFixture f;
  DeviceDb dev("CREATE TABLE t (id TEXT PRIMARY KEY, v TEXT)");
  auto v = f.PushOne(f.citizen, "dev-1", 1, dev.Capture("INSERT INTO t VALUES ('a', 'b')"));
  RequireRejected(v, "unknown table t");
}

TEST_CASE("A changeset with another column count than the live schema is refused") {
  StoreFixture f;
  DeviceDb dev(
      "CREATE TABLE reports (id TEXT PRIMARY KEY, kind TEXT, category_id TEXT, ward_id TEXT, title "
      "TEXT, "
      "description TEXT, lat REAL, lon REAL, address TEXT, status TEXT, assigned_unit TEXT, due_at "
      "TEXT, "
      "reporter_ref TEXT, created_at TEXT)");  // 14 columns: no updated_at
  auto v = f.PushOne(
      f.citizen, "dev-1", 1,
      dev.Capture(
          "INSERT INTO reports VALUES ('" + NewId() +
          "', 'phan_anh', 'rac-thai', 'p04', 't', 'd', NULL, NULL, NULL, 'new', NULL, NULL, "
          "NULL, '2026-11-27T08:00:00Z')"));
  RequireRejected(v, "table reports has 14 columns in the changeset, 20 on the server");
  CHECK(f.Query("SELECT count(*) FROM reports") == "0");
}

TEST_CASE("A changeset with another primary-key layout is refused") {
  StoreFixture f;
  DeviceDb dev(
      "CREATE TABLE reports (id TEXT, kind TEXT, category_id TEXT, ward_id TEXT, title TEXT, "
      "description TEXT, lat REAL, lon REAL, address TEXT, status TEXT, assigned_unit TEXT, due_at "
      "TEXT, "
      "reporter_ref TEXT, created_at TEXT, updated_at TEXT, receipt_code TEXT, received_at TEXT, "
      "expected_at TEXT, resolved_at TEXT, duplicate_of TEXT, PRIMARY KEY (id, kind))");
  auto v = f.PushOne(f.citizen, "dev-1", 1, dev.Capture(InsertReportSql(NewId())));
  RequireRejected(v, "primary-key layout");
}

TEST_CASE("A table appearing twice with different shapes is refused as a whole") {
  StoreFixture f;
  DeviceDb good;
  std::string a = good.Capture(InsertReportSql(NewId()));
  DeviceDb narrow("CREATE TABLE reports (id TEXT PRIMARY KEY, kind TEXT, title TEXT)");
  std::string b = narrow.Capture("INSERT INTO reports VALUES ('" + NewId() + "', 'phan_anh', 'x')");
  auto v = f.PushOne(f.citizen, "dev-1", 1, a + b);
  RequireRejected(v, "appears twice with different shapes");
  CHECK(f.Query("SELECT count(*) FROM reports") == "0");  // the good half was not applied either
}

TEST_CASE("Regression: the sessioncorrupt.test changeset is rejected and the server carries on") {
  StoreFixture f;
  std::string crafted(kSessionCorruptChangeset, sizeof kSessionCorruptChangeset - 1);
  auto v = f.PushOne(f.citizen, "dev-1", 1, crafted);
  RequireRejected(v, "table t appears twice with different shapes");
  DeviceDb dev;
  auto next = f.PushOne(f.citizen, "dev-1", 2, dev.Capture(InsertReportSql(NewId())));
  CHECK(next.verdict == wire::Verdict::kApplied);
}

TEST_CASE("A citizen may not update a report's status - only reopen a result") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  REQUIRE(f.PushOne(f.citizen, "phone", 1, phone.Capture(InsertReportSql(id))).verdict ==
          wire::Verdict::kApplied);
  auto v = f.PushOne(f.citizen, "phone", 2,
                     phone.Capture("UPDATE reports SET status = 'closed' WHERE id = '" + id + "'"));
  RequireRejected(v, "reports row '" + id +
                         "' column status: citizens may only reopen a resolved or closed report "
                         "(not new to closed)");
  CHECK(f.Query("SELECT status FROM reports WHERE id = '" + id + "'") == "new");
}

TEST_CASE("An official of p04 may update a p04 report but not a p05 report") {
  StoreFixture f;
  std::string p04 = FiledReport(f, "p04"), p05 = FiledReport(f, "p05");
  DeviceDb tablet;
  PullInto(f, f.official_q11, tablet);  // the tablet holds both rows, as a district device would
  auto own =
      f.PushOne(f.official_p04, "tablet", 1,
                tablet.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + p04 + "'"));
  INFO(own.message);
  CHECK(own.verdict == wire::Verdict::kApplied);
  auto other =
      f.PushOne(f.official_p04, "tablet", 2,
                tablet.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + p05 + "'"));
  RequireRejected(other, "outside your unit p04 (ward p05)");
  CHECK(f.Query("SELECT status FROM reports WHERE id = '" + p05 + "'") == "new");
  // Once the report is assigned to p04 it is in p04's scope.
  DeviceDb district;
  PullInto(f, f.official_q11, district);
  REQUIRE(f.PushOne(f.official_q11, "district", 1,
                    district.Capture("UPDATE reports SET assigned_unit = 'p04' WHERE id = '" + p05 +
                                     "'"))
              .verdict == wire::Verdict::kApplied);
  DeviceDb tablet2;
  PullInto(f, f.official_q11, tablet2);
  auto now_ok =
      f.PushOne(f.official_p04, "tablet", 3,
                tablet2.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + p05 + "'"));
  CHECK(now_ok.verdict == wire::Verdict::kApplied);
}

TEST_CASE("Officials may change only the workflow columns") {
  StoreFixture f;
  std::string id = FiledReport(f, "p04");
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  auto v = f.PushOne(f.official_p04, "tablet", 1,
                     tablet.Capture("UPDATE reports SET title = 'sửa' WHERE id = '" + id + "'"));
  RequireRejected(v, "column title: may not be changed");
  auto bad_status =
      f.PushOne(f.official_p04, "tablet", 2,
                tablet.Capture("UPDATE reports SET status = 'done' WHERE id = '" + id + "'"));
  RequireRejected(bad_status, "unknown status 'done'");
  auto bad_unit = f.PushOne(
      f.official_p04, "tablet", 3,
      tablet.Capture("UPDATE reports SET assigned_unit = 'nowhere' WHERE id = '" + id + "'"));
  RequireRejected(bad_unit, "unknown unit 'nowhere'");
}

TEST_CASE("Status steps follow the workflow - a whole entry with a bad step is refused") {
  StoreFixture f;
  std::string id = FiledReport(f, "p04"), other = FiledReport(f, "p04");
  auto step = [](const std::string& report, const std::string& status) {
    return "UPDATE reports SET status = '" + status + "' WHERE id = '" + report + "'";
  };
  {
    DeviceDb tablet;
    PullInto(f, f.official_p04, tablet);
    RequireRejected(f.PushOne(f.official_p04, "t1", 1, tablet.Capture(step(id, "closed"))),
                    "column status: may not change from new to closed for role official "
                    "(allowed: accepted, rejected, duplicate, in_progress)");
  }
  {
    // One good step and one bad in the same entry: nothing of it is applied.
    DeviceDb tablet;
    PullInto(f, f.official_p04, tablet);
    RequireRejected(
        f.PushOne(f.official_p04, "t2", 1,
                  tablet.Capture(step(other, "accepted") + "; " + step(id, "resolved"))),
        "may not change from new to resolved");
  }
  CHECK(f.Query("SELECT group_concat(status) FROM reports") == "new,new");
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  // A field officer starts at once: new → in_progress.
  uint64_t seq = 0;
  for (const char* status : {"in_progress", "resolved", "closed"}) {
    auto v = f.PushOne(f.official_p04, "t3", ++seq, tablet.Capture(step(id, status)));
    INFO(status << ": " << v.message);
    CHECK(v.verdict == wire::Verdict::kApplied);
  }
  // Closed stays closed for officials; a leader may reopen it.
  RequireRejected(f.PushOne(f.official_p04, "t3", ++seq, tablet.Capture(step(id, "in_progress"))),
                  "may not change from closed to in_progress for role official (allowed: none)");
  DeviceDb leader_tablet;
  PullInto(f, f.leader, leader_tablet);
  CHECK(f.PushOne(f.leader, "leader", 1, leader_tablet.Capture(step(id, "in_progress"))).verdict ==
        wire::Verdict::kApplied);
  CHECK(f.Query("SELECT status FROM reports WHERE id = '" + id + "'") == "in_progress");
}

TEST_CASE("New reports must follow the filing rules") {
  StoreFixture f;
  DeviceDb phone;
  auto insert = [&](const std::string& sql) { return phone.Capture(sql); };
  std::string id = NewId();
  RequireRejected(f.PushOne(f.citizen, "p", 1, insert(InsertReportSql(id, "q11"))), "not a ward");
  RequireRejected(f.PushOne(f.citizen, "p", 2, insert(InsertReportSql(NewId(), "p04", "no-such"))),
                  "unknown category");
  RequireRejected(
      f.PushOne(f.citizen, "p", 3, insert(InsertReportSql(NewId(), "p04", "rac-thai", ""))),
      "column title: must be text of 1-200 bytes");
  RequireRejected(
      f.PushOne(f.citizen, "p", 4,
                insert(InsertReportSql(NewId(), "p04", "rac-thai", std::string(201, 'x')))),
      "column title");
  std::string accepted = NewId();
  phone.Exec(InsertReportSql(accepted));
  RequireRejected(f.PushOne(f.citizen, "p", 5,
                            phone.Capture("DELETE FROM reports WHERE id = '" + accepted + "'")),
                  "row not found");  // withdrawing needs a report the server has
  std::string pre = NewId();
  std::string sql = InsertReportSql(pre);
  sql.replace(sql.find("'new'"), 5, "'accepted'");
  RequireRejected(f.PushOne(f.citizen, "p", 6, insert(sql)), "status 'new'");
  std::string stolen = InsertReportSql(NewId());
  stolen.replace(stolen.find("NULL, NULL, NULL, '2026"), 16,
                 "NULL, NULL, '" + f.other_citizen.reporter_ref + "'");
  RequireRejected(f.PushOne(f.citizen, "p", 7, insert(stolen)), "your own reporter reference");
  RequireRejected(f.PushOne(f.official_p04, "t", 1, insert(InsertReportSql(NewId()))),
                  "only citizens file reports");
  CHECK(f.Query("SELECT count(*) FROM reports") == "0");
}

TEST_CASE("Reference data may not be written from a device") {
  StoreFixture f;
  DeviceDb dev;
  auto v = f.PushOne(f.leader, "d", 1,
                     dev.Capture("UPDATE categories SET deadline_hours = 1 WHERE id = 'rac-thai'"));
  RequireRejected(v, "table categories is reference data");
  auto u = f.PushOne(
      f.leader, "d", 2,
      dev.Capture("INSERT INTO units VALUES ('p99', 'q11', 'ward', 'Phường 99', 'Ward 99')"));
  RequireRejected(u, "table units is reference data");
}

TEST_CASE("Case events: citizens comment on their own reports only, officials in scope") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  // The report and its first comment in one local transaction.
  std::string both =
      phone.Capture(InsertReportSql(id) +
                    "; INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES ('" +
                    NewId() + "', '" + id + "', 'comment', 'Thêm ảnh', '2026-11-27T08:01:00Z')");
  auto v = f.PushOne(f.citizen, "phone", 1, both);
  INFO(v.message);
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  CHECK(f.Query("SELECT author_ref || '|' || author_role FROM case_events") ==
        f.citizen.reporter_ref + "|citizen");

  auto status_event = [&](const std::string& kind, const std::string& status) {
    return phone.Capture(
        "INSERT INTO case_events (id, report_id, kind, status, created_at) VALUES ('" + NewId() +
        "', '" + id + "', '" + kind + "', " + status + ", '2026-11-27T08:02:00Z')");
  };
  RequireRejected(f.PushOne(f.citizen, "phone", 2, status_event("status", "'closed'")),
                  "citizens' status events only give the reason of a reopening");
  RequireRejected(f.PushOne(f.citizen, "phone", 3, status_event("result", "NULL")),
                  "citizens may only comment, rate or reopen");
  RequireRejected(f.PushOne(f.other_citizen, "other", 1, status_event("comment", "NULL")),
                  "their own reports");
  RequireRejected(f.PushOne(f.official_p05, "t5", 1, status_event("status", "'accepted'")),
                  "outside your unit p05");
  RequireRejected(f.PushOne(f.official_p04, "t4", 1, status_event("status", "'bogus'")),
                  "must be a valid status");
  auto ok = f.PushOne(f.official_p04, "t4", 2, status_event("status", "'accepted'"));
  CHECK(ok.verdict == wire::Verdict::kApplied);
  CHECK(f.Query("SELECT author_ref FROM case_events WHERE kind = 'status'") == f.official_p04.id);
}

TEST_CASE("ValidateChangeset refuses an unknown report without touching a database") {
  DeviceDb dev;
  Account official;
  official.id = "o";
  official.role = Role::kOfficial;
  official.unit = "p04";
  std::string id = NewId();
  dev.Exec(InsertReportSql(id));
  auto cs =
      ReadChangeset(dev.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + id + "'"));
  REQUIRE(cs.ok());
  auto shapes = TableShapes::Load(dev.db());
  REQUIRE(shapes.ok());
  // The server's table of retired units (docs/units.md), empty here.
  dev.Exec(
      "CREATE TABLE retired_units (unit_id TEXT PRIMARY KEY, successor_id TEXT, prior_kind TEXT, "
      "retired_at TEXT)");
  auto refs = ReferenceData::Load(dev.conn());
  REQUIRE(refs.ok());
  ValidationContext ctx;
  ctx.account = &official;
  ctx.shapes = &*shapes;
  ctx.refs = &*refs;
  int lookups = 0;
  ctx.find_report = [&](std::string_view) -> Result<std::optional<ReportFacts>> {
    ++lookups;
    return std::optional<ReportFacts>();
  };
  Status s = ValidateChangeset(*cs, ctx);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("row not found"));
  CHECK(lookups == 1);
  ctx.find_report = [&](std::string_view) -> Result<std::optional<ReportFacts>> {
    ReportFacts facts;
    facts.ward_id = "p04";
    facts.reporter_ref = "cd-x";
    return std::optional<ReportFacts>(facts);
  };
  CHECK(ValidateChangeset(*cs, ctx).ok());
}
