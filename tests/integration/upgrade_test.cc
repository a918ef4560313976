// Upgrades keep offline work (issue 13), against the real server: a phone that queued
// changes under the previous app version (synced schema version 1, the fixture
// tests/fixtures/synced_tables_v1.sql, with the device tables of that release) updates the
// app and delivers them; an app still on version 1 keeps pulling, in its own shape, with a
// notice; an app newer than the server is refused with a clear message.
#include <catch2/catch.hpp>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "fixtures.h"
#include "protocol/schema_versions.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

std::string V1Ddl() {
  std::string ddl = q11::test::SyncedTablesV1Ddl();
  REQUIRE_FALSE(ddl.empty());
  return ddl;
}

// The device's own tables as the release before the case life made them (device schema 2).
constexpr const char* kDeviceV2Tables = R"sql(
CREATE TABLE outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  changeset BLOB NOT NULL,
  undo BLOB,
  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked')),
  server_seq INTEGER,
  created_at TEXT NOT NULL,
  report_ids TEXT
);
CREATE TABLE settled_changes (
  seq INTEGER PRIMARY KEY,
  changeset BLOB NOT NULL,
  verdict TEXT NOT NULL,
  message TEXT NOT NULL,
  settled_at TEXT NOT NULL,
  report_ids TEXT
);
CREATE TABLE device_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT);
INSERT INTO device_meta VALUES ('device_id', '0190aaaa-0000-7000-8000-00000000old1'),
  ('cursor', '0'), ('created_at', '2026-11-01T00:00:00.000Z');
PRAGMA application_id = 1362178372;
PRAGMA user_version = 2;
)sql";

// Captures `sql` on `db` with a session and queues it in the old outbox, as the old app did.
void QueueOld(sql::Db& db, const std::string& sql, const std::string& report_id) {
  auto session = sql::Session::Create(db, {"reports", "case_events"});
  REQUIRE(session.ok());
  REQUIRE(db.Exec(sql).ok());
  auto cs = session->Changeset();
  REQUIRE(cs.ok());
  auto st = db.Prepare(
      "INSERT INTO outbox (changeset, state, created_at, report_ids) VALUES (?, 'pending', "
      "'2026-11-01T00:00:00.000Z', ?)");
  REQUIRE(st.ok());
  REQUIRE(st->BindBlob(1, *cs).Bind(2, report_id).Run().ok());
}

std::string Text(const std::string& path, const std::string& sql) {
  auto db = sql::Db::Open(path, false);
  REQUIRE(db.ok());
  auto v = db->QueryText(sql);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  return v->value_or("NULL");
}

// A token for `user`, through the device library's own login on a scratch database.
std::string TokenOf(TempDir& tmp, ServerProcess& server, const std::string& user,
                    const std::string& password) {
  auto db = OpenDevice(tmp.File(user + "-token.db"));
  auto http = Connect(server.url());
  REQUIRE(Login(*db, *http, server.url(), user, password).ok());
  auto account = db->GetAccount();
  REQUIRE(account.ok());
  return account->token;
}

}  // namespace

TEST_CASE("Upgrade: changes queued under the previous app version are delivered after the update") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("hoa", "mat-khau-hoa", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  REQUIRE(server.Start());

  // The old phone, offline: a report and a comment on it, two outbox entries of version 1.
  const std::string path = tmp.File("old-phone.db");
  const std::string report = "0190aaaa-0000-7000-8000-000000000001";
  {
    auto db = sql::Db::Open(path);
    REQUIRE(db.ok());
    REQUIRE(db->Exec(V1Ddl()).ok());
    REQUIRE(db->Exec(kDeviceV2Tables).ok());
    QueueOld(*db,
             "INSERT INTO reports VALUES ('" + report +
                 "', 'phan_anh', 'rac-thai', 'p04', 'Rác tồn đọng', 'Ba ngày chưa thu gom.', "
                 "10.76, 106.65, NULL, 'new', NULL, NULL, NULL, '2026-11-01T00:00:00.000Z', "
                 "'2026-11-01T00:00:00.000Z')",
             report);
    QueueOld(*db,
             "INSERT INTO case_events VALUES ('0190aaaa-0000-7000-8000-000000000002', '" + report +
                 "', 'comment', NULL, 'Bổ sung: mùi rất nặng.', NULL, NULL, NULL, "
                 "'2026-11-01T00:05:00.000Z')",
             report);
  }
  // The app updates: the database is upgraded on open, the queue keeps its old shape.
  auto phone = OpenDevice(path);
  CHECK(Text(path, "PRAGMA user_version") == "4");
  CHECK(Text(path, "SELECT group_concat(schema_version) FROM outbox") == "1,1");
  CHECK(*phone->PendingCount() == 2);

  auto http = Connect(server.url());
  REQUIRE(Login(*phone, *http, server.url(), "hoa", "mat-khau-hoa").ok());
  auto r = Sync(*phone, *http);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  for (const std::string& m : r->messages) INFO(m);
  CHECK(r->applied == 2);
  CHECK(r->rejected == 0);
  CHECK(r->notice.empty());  // the updated app is current
  CHECK(*phone->PendingCount() == 0);
  // The server stamped what version 1 did not have; the phone got it back.
  auto shown = phone->GetReport(report);
  REQUIRE(shown.ok());
  CHECK(shown->receipt_code.has_value());
  CHECK(shown->due_at.has_value());
  REQUIRE(shown->events.size() == 1);
  CHECK(shown->events[0].note == "Bổ sung: mùi rất nặng.");
  CHECK(ServerDbValue(server.data_dir(),
                      "SELECT status || '|' || CASE WHEN receipt_code IS NOT NULL THEN 1 ELSE 0 "
                      "END || '|' || CASE WHEN received_at IS NOT NULL THEN 1 ELSE 0 END "
                      "FROM reports WHERE id = '" +
                          report + "'") == "new|1|1");
  CHECK(ServerDbValue(server.data_dir(), "SELECT stars FROM case_events", "NULL") == "NULL");

  SECTION("an app still on version 1 pulls in its own shape, and is told to update") {
    const std::string token = TokenOf(tmp, server, "canbo.p04", "mat-khau-p04");
    wire::SyncRequest old;
    old.device_id = "0190aaaa-0000-7000-8000-00000000old2";
    old.schema_version = 1;
    old.client = "q11/old";
    auto reply =
        http->Post("/v1/sync", "application/x-q11-sync", wire::EncodeSyncRequest(old), token);
    REQUIRE(reply.ok());
    REQUIRE(reply->status == 200);
    auto response = wire::DecodeSyncResponse(reply->body);
    REQUIRE(response.ok());
    CHECK_THAT(response->notice, Catch::Contains("This app uses data version 1"));
    CHECK_THAT(response->notice, Catch::Contains("Vui lòng cập nhật ứng dụng"));
    // The old tablet's tables are version 1's: the pull applies to them as it is.
    auto tablet = sql::Db::Open(":memory:");
    REQUIRE(tablet.ok());
    REQUIRE(tablet->Exec(V1Ddl()).ok());
    Status applied = sql::ApplyChangeset(
        *tablet, response->pull_changeset,
        [](int, sqlite3_changeset_iter*) { return sql::ConflictAction::kAbort; });
    INFO(applied.ToString());
    REQUIRE(applied.ok());
    CHECK(
        tablet->QueryText("SELECT title FROM reports WHERE id = '" + report + "'")->value_or("") ==
        "Rác tồn đọng");
    CHECK(tablet->QueryText("SELECT count(*) FROM case_events")->value_or("") == "1");
  }
  SECTION("an app newer than the server is refused with a clear message, nothing applied") {
    wire::SyncRequest newer;
    newer.device_id = "0190aaaa-0000-7000-8000-00000000new1";
    newer.schema_version = schema::kSyncedSchemaVersion + 1;
    auto reply = http->Post("/v1/sync", "application/x-q11-sync", wire::EncodeSyncRequest(newer),
                            TokenOf(tmp, server, "canbo.p04", "mat-khau-p04"));
    REQUIRE(reply.ok());
    CHECK(reply->status == 400);
    CHECK_THAT(reply->body, Catch::Contains("newer than this server's"));
  }
}
