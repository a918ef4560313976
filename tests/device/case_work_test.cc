// An official's assignment and deadline, a citizen's withdrawal and edit: each is one
// captured transaction (one outbox entry) holding exactly the rows the server's write
// rules expect, validated early where the device can tell.
#include <catch2/catch.hpp>

#include "changeset_reader.h"
#include "database_impl.h"
#include "devicecore/sync.h"
#include "protocol/ids.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

constexpr const char* kR1 = "01890000-0000-7000-8000-0000000000c1";

struct Change {
  std::string table;
  int op;
  std::string key;
  std::vector<int> changed;  // columns with a new value (UPDATE) or all (INSERT)
};

// The changes of outbox entry `seq`.
std::vector<Change> EntryChanges(const std::string& path, int64_t seq) {
  auto db = sql::Db::Open(path, false);
  REQUIRE(db.ok());
  auto st = db->Prepare("SELECT changeset FROM outbox WHERE seq = ?");
  REQUIRE(st.ok());
  st->Bind(1, seq);
  REQUIRE(*st->Step());
  std::string cs = st->Blob(0);
  std::vector<Change> out;
  ChangesetReader r(cs);
  while (*r.Next()) {
    Change c{std::string(r.table()), r.op(), r.Text(0), {}};
    for (int i = 0; i < r.columns(); ++i)
      if (r.New(i) != nullptr) c.changed.push_back(i);
    out.push_back(c);
  }
  return out;
}

struct Device {
  TempDir dir;
  FakeEnv env;
  FakeTransport server;
  std::unique_ptr<Database> db;

  explicit Device(const std::string& role) {
    auto opened = Database::Open(path(), {&env});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    if (!role.empty()) REQUIRE(db->SaveAccount(TestAccount(role)).ok());
  }
  std::string path() const { return dir.File("device.db"); }
  // Report kR1 as the server sends it (status `status`, filed by r-abc).
  void Seed(const std::string& status = "new") {
    wire::SyncResponse resp;
    resp.cursor = 1;
    resp.pull_changeset = PullBuilder().Change(ReportRowSql(kR1, status)).Build();
    server.script.push_back([resp](const FakeTransport::Call&) { return SyncReply(resp); });
    REQUIRE(Sync(*db, server).ok());
  }
  Report Get(const std::string& id = kR1) {
    auto r = db->GetReport(id);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
};

}  // namespace

TEST_CASE("case assign: the unit and an assignment event, in one entry", "[case]") {
  Device d("official");
  d.Seed();
  REQUIRE(d.db->AssignUnit(kR1, "phong-qldt", "Chuyển phòng Quản lý đô thị").ok());
  Report r = d.Get();
  CHECK(r.assigned_unit == std::optional<std::string>("phong-qldt"));
  CHECK(r.updated_at != "2027-01-15T00:00:00.000Z");
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].kind == "assignment");
  CHECK(r.events[0].unit_id == "phong-qldt");
  CHECK(r.events[0].note == "Chuyển phòng Quản lý đô thị");
  CHECK(r.events[0].author_role == "official");
  CHECK(r.pending_changes == 1);
  CHECK(r.sync_state == SyncState::kPending);

  CHECK(*d.db->OutboxCount() == 1);
  auto changes = EntryChanges(d.path(), 1);
  REQUIRE(changes.size() == 2);
  for (const Change& c : changes) {
    if (c.table == "reports") {
      CHECK(c.op == SQLITE_UPDATE);
      CHECK(c.key == kR1);
      CHECK(c.changed == std::vector<int>{10, 14});  // assigned_unit, updated_at: nothing else
    } else {
      CHECK(c.table == "case_events");
      CHECK(c.op == SQLITE_INSERT);
    }
  }
}

TEST_CASE("case assign refuses what the device can already tell is wrong", "[case]") {
  Device d("official");
  d.Seed();
  std::string before = Dump(d.path());
  Status s = d.db->AssignUnit(kR1, "phong-khong-co", "");
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.message(), Catch::Contains("unknown unit") && Catch::Contains("không có đơn vị"));
  CHECK(d.db->AssignUnit("01890000-0000-7000-8000-00000000ffff", "p05", "").code() ==
        StatusCode::kNotFound);
  CHECK(Dump(d.path()) == before);

  Device citizen("citizen");
  citizen.Seed();
  Status denied = citizen.db->AssignUnit(kR1, "p05", "");
  CHECK(denied.code() == StatusCode::kPermissionDenied);
  CHECK_THAT(denied.message(), Catch::Contains("only officials"));
  CHECK(*citizen.db->OutboxCount() == 0);
}

TEST_CASE("case deadline: normalised due_at and a comment saying so", "[case]") {
  Device d("official");
  d.Seed();
  REQUIRE(d.db->SetDeadline(kR1, "2027-02-01T10:00:00Z", "").ok());
  Report r = d.Get();
  CHECK(r.due_at == std::optional<std::string>("2027-02-01T10:00:00.000Z"));
  REQUIRE(r.events.size() == 1);
  CHECK(r.events[0].kind == "comment");
  CHECK(r.events[0].note == "Hạn xử lý mới / new deadline: 2027-02-01 17:00 (UTC+7)");
  auto changes = EntryChanges(d.path(), 1);
  REQUIRE(changes.size() == 2);
  for (const Change& c : changes)
    if (c.table == "reports") CHECK(c.changed == std::vector<int>{11, 14});  // due_at, updated_at

  // Another spelling of a time (an offset of +00:00) and a note.
  REQUIRE(d.db->SetDeadline(kR1, "2027-02-02T08:30:00.5+00:00", "chờ vật tư").ok());
  r = d.Get();
  CHECK(r.due_at == std::optional<std::string>("2027-02-02T08:30:00.500Z"));
  CHECK(r.events.back().note ==
        "Hạn xử lý mới / new deadline: 2027-02-02 15:30 (UTC+7) — chờ vật tư");
  // Vietnam time with its offset, and a plain date: 17:00 that day in Vietnam.
  REQUIRE(d.db->SetDeadline(kR1, "2027-02-03T17:00:00+0700", "").ok());
  CHECK(d.Get().due_at == std::optional<std::string>("2027-02-03T10:00:00.000Z"));
  REQUIRE(d.db->SetDeadline(kR1, "2027-02-04", "").ok());
  CHECK(d.Get().due_at == std::optional<std::string>("2027-02-04T10:00:00.000Z"));
  CHECK(*d.db->OutboxCount() == 4);

  std::string before = Dump(d.path());
  for (const char* bad : {"mai", "2026-13-01T00:00:00Z", "2027-02-01T10:00:00", ""}) {
    Status s = d.db->SetDeadline(kR1, bad, "");
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::Contains("ISO-8601") && Catch::Contains("hạn xử lý"));
  }
  // The device's clock says 2027-01-15: a deadline before it is refused, saying when.
  for (const char* past : {"2026-12-01T10:00:00Z", "2027-01-14"}) {
    Status s = d.db->SetDeadline(kR1, past, "");
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK_THAT(s.message(), Catch::Contains("is in the past") && Catch::Contains("đã qua") &&
                                Catch::Contains("(UTC+7)"));
  }
  CHECK(Dump(d.path()) == before);
}

TEST_CASE("report withdraw: a citizen's own new report is deleted, nothing else", "[report]") {
  Device d("citizen");
  d.Seed();
  REQUIRE(d.db->WithdrawReport(kR1).ok());
  CHECK(d.db->GetReport(kR1).status().code() == StatusCode::kNotFound);
  auto changes = EntryChanges(d.path(), 1);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].table == "reports");
  CHECK(changes[0].op == SQLITE_DELETE);
  CHECK(changes[0].key == kR1);
  // The report is gone locally, but what is outstanding about it is still answerable.
  auto sync = d.db->GetReportSync(kR1);
  REQUIRE(sync.ok());
  CHECK(sync->state == SyncState::kPending);
  CHECK(sync->pending == 1);
  CHECK(d.db->GetReportSync("01890000-0000-7000-8000-00000000ffff").status().code() ==
        StatusCode::kNotFound);
}

TEST_CASE("report withdraw and edit are refused once handling started or for others", "[report]") {
  SECTION("already accepted") {
    Device d("citizen");
    d.Seed("accepted");
    Status s = d.db->WithdrawReport(kR1);
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(s.message(), Catch::Contains("status accepted"));
    CHECK(d.db->EditReport(kR1, "mới", std::nullopt).code() == StatusCode::kFailedPrecondition);
    CHECK(*d.db->OutboxCount() == 0);
  }
  SECTION("someone else's report") {
    Device d("");
    Account other = TestAccount("citizen");
    other.reporter_ref = "r-someone-else";
    REQUIRE(d.db->SaveAccount(other).ok());
    d.Seed();
    CHECK(d.db->WithdrawReport(kR1).code() == StatusCode::kPermissionDenied);
    CHECK(d.db->EditReport(kR1, "mới", std::nullopt).code() == StatusCode::kPermissionDenied);
  }
  SECTION("an official") {
    Device d("official");
    d.Seed();
    CHECK(d.db->WithdrawReport(kR1).code() == StatusCode::kPermissionDenied);
    CHECK(d.db->EditReport(kR1, "mới", std::nullopt).code() == StatusCode::kPermissionDenied);
  }
  SECTION("a report filed on this device before login") {
    Device d("");
    NewReport nr;
    nr.category_id = "rac-thai";
    nr.ward_id = "p01";
    nr.title = "Rác";
    auto id = d.db->FileReport(nr);
    REQUIRE(id.ok());
    CHECK(d.db->EditReport(*id, std::nullopt, "thêm chi tiết").ok());
    CHECK(d.db->WithdrawReport(*id).ok());
    CHECK(*d.db->OutboxCount() == 3);
  }
}

TEST_CASE("report edit: title and/or description, validated", "[report]") {
  Device d("citizen");
  d.Seed();
  REQUIRE(d.db->EditReport(kR1, "Rác tồn đọng (sửa)", std::nullopt).ok());
  Report r = d.Get();
  CHECK(r.title == "Rác tồn đọng (sửa)");
  CHECK(r.description == "mô tả");
  auto changes = EntryChanges(d.path(), 1);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].changed == std::vector<int>{4, 14});  // title, updated_at

  REQUIRE(d.db->EditReport(kR1, std::nullopt, "Mô tả mới").ok());
  CHECK(d.Get().description == "Mô tả mới");
  std::string before = Dump(d.path());
  CHECK(d.db->EditReport(kR1, std::nullopt, std::nullopt).code() == StatusCode::kInvalidArgument);
  CHECK(d.db->EditReport(kR1, "   ", std::nullopt).code() == StatusCode::kInvalidArgument);
  CHECK(d.db->EditReport(kR1, std::string(501, 'x'), std::nullopt).code() ==
        StatusCode::kInvalidArgument);
  CHECK(Dump(d.path()) == before);
}
