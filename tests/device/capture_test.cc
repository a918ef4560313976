// Change capture: every local write is one transaction, one outbox entry, holding exactly
// the synced-table changes of that write (never the local tables).
#include <catch2/catch.hpp>

#include "changeset_reader.h"
#include "database_impl.h"
#include "protocol/ids.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

struct Change {
  std::string table;
  int op;
  std::string key;  // column 0
};

std::vector<Change> Changes(const std::string& changeset) {
  std::vector<Change> out;
  ChangesetReader r(changeset);
  while (true) {
    auto more = r.Next();
    REQUIRE(more.ok());
    if (!*more) break;
    out.push_back({std::string(r.table()), r.op(), r.Text(0)});
  }
  return out;
}

std::string OutboxChangeset(const std::string& path, int64_t seq) {
  auto db = sql::Db::Open(path, false);
  REQUIRE(db.ok());
  auto st = db->Prepare("SELECT changeset FROM outbox WHERE seq = ?");
  REQUIRE(st.ok());
  st->Bind(1, seq);
  auto row = st->Step();
  REQUIRE(row.ok());
  REQUIRE(*row);
  return st->Blob(0);
}

NewReport SampleReport() {
  NewReport r;
  r.category_id = "rac-thai";
  r.ward_id = "p05";
  r.title = "Rác tồn đọng ở hẻm 12 Lạc Long Quân";
  r.description = "Đã 3 ngày chưa thu gom";
  r.lat = 10.7629;
  r.lon = 106.6502;
  return r;
}

}  // namespace

TEST_CASE("a new database has reference data, a device id and an empty outbox", "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  CHECK(LooksLikeUuid((*db)->DeviceId()));
  auto units = (*db)->ListUnits();
  REQUIRE(units.ok());
  CHECK(units->size() >= 17);
  CHECK(units->front().id == "q11");
  CHECK(units->front().name_vi == "Quận 11");
  auto cats = (*db)->ListCategories();
  REQUIRE(cats.ok());
  CHECK(!cats->empty());
  CHECK(*(*db)->OutboxCount() == 0);
  CHECK(*(*db)->Cursor() == 0);
#ifdef __EMSCRIPTEN__
  // The WebAssembly build has no WAL: its file lives in memory, its journal too
  // (devicecore/wasm/device_journal_mode.c); the app persists the one file (docs/app.md).
  CHECK(Query(dir.File("d.db"), "PRAGMA journal_mode") == "memory");
#else
  CHECK(Query(dir.File("d.db"), "PRAGMA journal_mode") == "wal");
#endif

  // Reopening keeps the identity.
  std::string id = (*db)->DeviceId();
  db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  CHECK((*db)->DeviceId() == id);
}

TEST_CASE("a file that is not a device database is refused untouched", "[capture]") {
  TempDir dir;
  {
    auto raw = sql::Db::Open(dir.File("other.db"));
    REQUIRE(raw.ok());
    REQUIRE(raw->Exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)").ok());
  }
  auto db = Database::Open(dir.File("other.db"));
  REQUIRE(!db.ok());
  CHECK(db.status().code() == StatusCode::kDataLoss);
  CHECK(Query(dir.File("other.db"), "SELECT count(*) FROM sqlite_master") == "1");
}

TEST_CASE("FileReport works before login and queues one entry with one INSERT", "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->GetAccount().status().code() == StatusCode::kNotFound);

  auto id = (*db)->FileReport(SampleReport());
  REQUIRE(id.ok());
  CHECK(LooksLikeUuid(*id));
  CHECK((*id)[14] == '7');  // UUIDv7

  auto r = (*db)->GetReport(*id);
  REQUIRE(r.ok());
  CHECK(r->status == "new");
  CHECK(!r->reporter_ref.has_value());  // nobody logged in
  CHECK(r->created_at == r->updated_at);
  CHECK(ParseUtc(r->created_at).has_value());
  CHECK(r->pending_changes == 1);
  CHECK(*(*db)->OutboxCount() == 1);
  CHECK(*(*db)->PendingCount() == 1);

  auto changes = Changes(OutboxChangeset(dir.File("d.db"), 1));
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].table == "reports");
  CHECK(changes[0].op == SQLITE_INSERT);
  CHECK(changes[0].key == *id);
}

TEST_CASE("a logged-in citizen's report carries the pseudonym", "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->SaveAccount(TestAccount("citizen", "")).ok());
  auto id = (*db)->FileReport(SampleReport());
  REQUIRE(id.ok());
  CHECK((*db)->GetReport(*id)->reporter_ref == std::optional<std::string>("r-abc"));
  auto comment = (*db)->AddComment(*id, "Vẫn chưa dọn");
  REQUIRE(comment.ok());
  auto r = (*db)->GetReport(*id);
  REQUIRE(r->events.size() == 1);
  CHECK(r->events[0].author_ref == "r-abc");  // never the account id
  CHECK(r->events[0].author_role == "citizen");
  CHECK(r->pending_changes == 2);
}

TEST_CASE("SetStatus is one entry with the report update and the status event", "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->SaveAccount(TestAccount("official", "p05")).ok());
  auto id = (*db)->FileReport(SampleReport());
  REQUIRE(id.ok());
  REQUIRE((*db)->SetStatus(*id, "accepted", "Đã tiếp nhận").ok());

  CHECK(*(*db)->OutboxCount() == 2);
  auto changes = Changes(OutboxChangeset(dir.File("d.db"), 2));
  REQUIRE(changes.size() == 2);
  // The report was inserted in entry 1: its UPDATE here is an UPDATE, not merged away.
  CHECK(changes[0].table == "reports");
  CHECK(changes[0].op == SQLITE_UPDATE);
  CHECK(changes[1].table == "case_events");
  CHECK(changes[1].op == SQLITE_INSERT);

  auto r = (*db)->GetReport(*id);
  REQUIRE(r.ok());
  CHECK(r->status == "accepted");
  CHECK(r->updated_at > r->created_at);
  REQUIRE(r->events.size() == 1);
  CHECK(r->events[0].kind == "status");
  CHECK(r->events[0].status == "accepted");
  CHECK(r->events[0].note == "Đã tiếp nhận");
  CHECK(r->events[0].author_ref == "u-official");
  CHECK(r->events[0].author_role == "official");
  CHECK(r->pending_changes == 2);
}

TEST_CASE("SetStatusMany is one entry for many reports", "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  std::vector<std::string> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(*(*db)->FileReport(SampleReport()));
  REQUIRE((*db)->SetStatusMany(ids, "in_progress", "").ok());
  CHECK(*(*db)->OutboxCount() == 6);
  CHECK(Changes(OutboxChangeset(dir.File("d.db"), 6)).size() == 10);

  // One unknown id: nothing at all.
  ids.push_back("01890000-0000-7000-8000-000000000000");
  auto s = (*db)->SetStatusMany(ids, "resolved", "Đã xử lý");
  CHECK(s.code() == StatusCode::kNotFound);
  CHECK(*(*db)->OutboxCount() == 6);
  CHECK((*db)->GetReport(ids[0])->status == "in_progress");
}

TEST_CASE("invalid input is refused with a clear error and writes nothing", "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  struct Bad {
    const char* name;
    std::function<void(NewReport&)> spoil;
    const char* says;
  };
  std::vector<Bad> cases = {
      {"unknown category", [](NewReport& r) { r.category_id = "no-such"; }, "category"},
      {"unknown ward", [](NewReport& r) { r.ward_id = "p99"; }, "ward"},
      {"a unit that is not a ward", [](NewReport& r) { r.ward_id = "phong-qldt"; }, "ward"},
      {"empty title", [](NewReport& r) { r.title = "   "; }, "title"},
      {"bad kind", [](NewReport& r) { r.kind = "khieu_nai"; }, "kind"},
      {"latitude out of range", [](NewReport& r) { r.lat = 91; }, "latitude"},
      {"longitude out of range", [](NewReport& r) { r.lon = -181; }, "longitude"},
      {"latitude without longitude", [](NewReport& r) { r.lon.reset(); }, "both"},
  };
  for (const Bad& b : cases) {
    SECTION(b.name) {
      NewReport r = SampleReport();
      b.spoil(r);
      auto id = (*db)->FileReport(r);
      REQUIRE(!id.ok());
      CHECK(id.status().code() == StatusCode::kInvalidArgument);
      CHECK_THAT(id.status().message(), Catch::Contains(b.says));
      CHECK((*db)->ListReports()->empty());
      CHECK(*(*db)->OutboxCount() == 0);
    }
  }
  SECTION("unknown status") {
    auto id = (*db)->FileReport(SampleReport());
    REQUIRE(id.ok());
    auto s = (*db)->SetStatus(*id, "done", "");
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK((*db)->SetStatus("nope", "accepted", "").code() == StatusCode::kNotFound);
    CHECK(*(*db)->OutboxCount() == 1);
  }
}

TEST_CASE("ExecCaptured: one transaction, one entry, local tables are never captured",
          "[capture]") {
  TempDir dir;
  FakeEnv env;
  auto opened = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(opened.ok());
  Database& db = **opened;
  auto id = db.FileReport(SampleReport());
  REQUIRE(id.ok());

  // Three statements, two synced tables, and local tables touched in the same write.
  REQUIRE(db.ExecCaptured("UPDATE reports SET title = 'Đã sửa' WHERE id = '" + *id +
                          "';"
                          "INSERT INTO case_events(id, report_id, kind, note, created_at) VALUES "
                          "('01890000-0000-7000-8000-0000000000e1', '" +
                          *id +
                          "', 'comment', 'x', '2027-01-15T00:00:00.000Z');"
                          "INSERT OR REPLACE INTO device_meta VALUES ('probe', '1');"
                          "UPDATE outbox SET created_at = created_at;")
              .ok());
  CHECK(db.OutboxCount().value() == 2);
  auto changes = Changes(OutboxChangeset(dir.File("d.db"), 2));
  REQUIRE(changes.size() == 2);
  for (const Change& c : changes) CHECK((c.table == "reports" || c.table == "case_events"));
  auto tables = db.Outbox();
  REQUIRE(tables.ok());
  CHECK(tables->back().tables == std::vector<std::string>{"reports", "case_events"});

  // A write that changes no synced row makes no entry.
  REQUIRE(db.ExecCaptured("UPDATE reports SET title = title WHERE 0").ok());
  REQUIRE(db.ExecCaptured("INSERT OR REPLACE INTO device_meta VALUES ('probe', '2')").ok());
  CHECK(db.OutboxCount().value() == 2);

  // A failing statement rolls back the statements before it too.
  auto s = db.ExecCaptured("UPDATE reports SET title = 'lost' WHERE id = '" + *id +
                           "'; INSERT INTO nowhere VALUES (1)");
  CHECK(!s.ok());
  CHECK(db.GetReport(*id)->title == "Đã sửa");
  CHECK(db.OutboxCount().value() == 2);
}
