// A pull whose table headers do not fit this device is refused before SQLite's apply sees
// it (devicecore/src/pull_check.h): a hostile or broken server is scripted here, since the
// real one cannot send these bytes. Each refusal fails the sync, changes nothing local
// (outbox, cursor, rows), and the next good pull works.
#include <catch2/catch.hpp>

#include "../server/sessioncorrupt_changeset.h"
#include "devicecore/sync.h"
#include "protocol/schema.h"
#include "pull_check.h"
#include "scripted_device.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

constexpr const char* kR1 = "01890000-0000-7000-8000-0000000000b1";
constexpr const char* kR2 = "01890000-0000-7000-8000-0000000000b2";

// A changeset captured on a scratch database made from `ddl` (tables of other shapes than
// the device's, as a broken server could send).
std::string CaptureOn(const std::string& ddl, const std::vector<std::string>& tables,
                      const std::string& sql) {
  auto db = sql::Db::Open(":memory:");
  REQUIRE(db.ok());
  REQUIRE(db->Exec(ddl).ok());
  auto session = sql::Session::Create(*db, tables);
  REQUIRE(session.ok());
  Status s = db->Exec(sql);
  INFO(s.ToString());
  REQUIRE(s.ok());
  auto cs = session->Changeset();
  REQUIRE(cs.ok());
  return *cs;
}

// The synced schema with reports one column wider.
std::string WiderReportsSql() {
  return std::string(schema::SyncedTablesSql()) + ";ALTER TABLE reports ADD COLUMN extra TEXT;";
}

std::string SessionCorrupt() {
  return std::string(kSessionCorruptChangeset, sizeof kSessionCorruptChangeset - 1);
}

// A device holding kR1 (cursor 3) with one pending local edit of it in the outbox.
struct PendingDevice : ScriptedDevice {
  PendingDevice() {
    Seed({kR1}, 3);
    REQUIRE(db->SetStatus(kR1, "accepted", "nhận").ok());
  }
};

// Syncs once against a server answering `pull`; the sync must fail, naming `needle`, and
// leave the database file exactly as it was. Then a good pull (kR2) must work.
void RequireRefused(const std::string& pull, const std::string& needle) {
  PendingDevice d;
  const std::string before = Dump(d.path());
  wire::SyncResponse bad;
  bad.cursor = 9;
  bad.pull_rows = 1;
  bad.verdicts = {{1, wire::Verdict::kApplied, 8, ""}};
  bad.pull_changeset = pull;
  d.server.script.push_back([bad](const FakeTransport::Call&) { return SyncReply(bad); });
  auto r = Sync(*d.db, d.server);
  REQUIRE_FALSE(r.ok());
  INFO(r.status().ToString());
  CHECK(r.status().code() == StatusCode::kDataLoss);
  CHECK_THAT(r.status().message(), Catch::Contains("the server's changes were refused"));
  CHECK_THAT(r.status().message(), Catch::Contains("thay đổi từ máy chủ bị từ chối"));
  CHECK_THAT(r.status().message(), Catch::Contains(needle));
  CHECK_THAT(r.status().message(), Catch::Contains("1 changes waiting"));
  // Nothing local changed: rows, outbox (the entry still pending), cursor.
  CHECK(Dump(d.path()) == before);
  CHECK(*d.db->Cursor() == 3);
  CHECK(*d.db->OutboxCount() == 1);
  CHECK(d.Get(kR1).status == "accepted");
  CHECK(d.Get(kR1).pending_changes == 1);

  // The next good answer applies: the same entry is pushed again and settled.
  wire::SyncResponse good;
  good.cursor = 9;
  good.pull_rows = 2;
  good.verdicts = {{1, wire::Verdict::kApplied, 8, ""}};
  good.pull_changeset =
      PullBuilder().Change(ReportRowSql(kR1, "accepted")).Change(ReportRowSql(kR2, "new")).Build();
  SyncResult ok = d.SyncOk(good);
  CHECK(ok.applied == 1);
  CHECK(*d.db->Cursor() == 9);
  CHECK(*d.db->OutboxCount() == 0);
  CHECK(d.Get(kR1).status == "accepted");
  CHECK(d.Get(kR2).status == "new");
  auto requests = d.server.SyncRequests();
  REQUIRE(requests.size() == 3);  // seed, refused, good
  CHECK(requests[2].cursor == 3);
  REQUIRE(requests[2].push.size() == 1);
  CHECK(requests[2].push[0].local_seq == 1);
}

}  // namespace

TEST_CASE("a pull carrying the sessioncorrupt.test changeset is refused before SQLite applies it",
          "[pull][hostile]") {
  // Handed to sqlite3changeset_apply, these 242 bytes overflow SQLite 3.40.1's heap (under
  // ASan: a heap-buffer-overflow report); the check refuses the second header of "t".
  RequireRefused(SessionCorrupt(), "table t appears twice with different shapes");
}

TEST_CASE("the sessioncorrupt attack aimed at a synced table (units) is refused",
          "[pull][hostile]") {
  // SQLite's apply skips table "t", which the device lacks; this variant re-declares
  // "units" (5 columns) with 64 and is what really overflows the heap on a device: without
  // the check, fuzz_device_pull reports a heap-buffer-overflow on it under ASan.
  RequireRefused(SessionCorruptUnitsChangeset(),
                 "table units appears twice with different shapes (5 columns, key at 0 vs 64 "
                 "columns, key at 0)");
}

TEST_CASE("a pull with a table the device does not sync is refused", "[pull][hostile]") {
  std::string users = CaptureOn("CREATE TABLE users (id TEXT PRIMARY KEY, name TEXT)", {"users"},
                                "INSERT INTO users VALUES ('u1', 'lan')");
  RequireRefused(users, "unknown table users / ");
  // Also when it follows good rows: none of them is applied (RequireRefused compares the
  // whole file).
  std::string good = PullBuilder().Change(ReportRowSql(kR2, "new")).Build();
  RequireRefused(good + users, "bảng không đồng bộ: users");
}

TEST_CASE("a pull with a table one column wider than the device's is refused", "[pull][hostile]") {
  std::string wide = CaptureOn(WiderReportsSql(), {"reports"}, ReportRowSql(kR2, "new"));
  auto live = sql::Db::Open(":memory:");
  REQUIRE(live->Exec(schema::SyncedTablesSql()).ok());
  std::string columns =
      live->QueryText("SELECT count(*) FROM pragma_table_info('reports')")->value_or("?");
  std::string wider = std::to_string(std::stoi(columns) + 1);
  RequireRefused(wide, "table reports has " + wider + " columns in the changeset, " + columns +
                           " on this device");
  RequireRefused(wide, "số cột của bảng reports không khớp với thiết bị này");
}

TEST_CASE("a pull with another primary-key layout is refused", "[pull][hostile]") {
  std::string units = CaptureOn(
      "CREATE TABLE units (id TEXT NOT NULL, parent_id TEXT, kind TEXT NOT NULL, name_vi TEXT "
      "NOT NULL, name_en TEXT NOT NULL, PRIMARY KEY (id, kind))",
      {"units"}, "INSERT INTO units VALUES ('p99', 'q11', 'ward', 'Phường 99', 'Ward 99')");
  RequireRefused(units, "table units has another primary-key layout than this device's");
}

TEST_CASE("a pull declaring a synced table twice with two shapes is refused", "[pull][hostile]") {
  std::string good = PullBuilder().Change(ReportRowSql(kR2, "new")).Build();
  std::string narrow =
      CaptureOn("CREATE TABLE reports (id TEXT PRIMARY KEY, kind TEXT, title TEXT)", {"reports"},
                "INSERT INTO reports VALUES ('x', 'phan_anh', 'x')");
  RequireRefused(good + narrow, "table reports appears twice with different shapes");
}

TEST_CASE("a pull with broken framing is refused", "[pull][hostile]") {
  RequireRefused("T", "malformed changeset");
}

TEST_CASE("reference tables may come in a pull: the server sends units and categories", "[pull]") {
  // syncserver's pull builder copies every synced table (units and categories included);
  // the write rule against them is the server's, for pushes only.
  ScriptedDevice d;
  wire::SyncResponse resp;
  resp.cursor = 4;
  resp.pull_rows = 1;
  resp.pull_changeset =
      PullBuilder()
          .Change(
              "INSERT INTO units (id, parent_id, kind, name_vi, name_en) VALUES ('p99', "
              "'q11', 'ward', 'Phường 99', 'Ward 99')")
          .Build();
  d.SyncOk(resp);
  auto units = d.db->ListUnits();
  REQUIRE(units.ok());
  bool found = false;
  for (const Unit& u : *units) found = found || u.id == "p99";
  CHECK(found);
  CHECK(*d.db->Cursor() == 4);
}

TEST_CASE("the same table twice with the same shape passes the check", "[pull]") {
  // Two changesets one after the other are one valid changeset (the undo relies on it).
  ScriptedDevice d;
  auto raw = sql::Db::Open(d.path(), false);
  REQUIRE(raw.ok());
  std::string a = PullBuilder().Change(ReportRowSql(kR1, "new")).Build();
  std::string b = PullBuilder().Change(ReportRowSql(kR2, "new")).Build();
  CHECK(CheckPulledChangeset(*raw, a + b).ok());
  CHECK(CheckPulledChangeset(*raw, "").ok());
  Status s = CheckPulledChangeset(*raw, SessionCorrupt());
  CHECK(s.code() == StatusCode::kDataLoss);
}
