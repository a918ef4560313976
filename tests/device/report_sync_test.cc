// Per-report sync state: what of a report's local changes waits for the server (pending),
// was parked for an admin or rejected, and which merges the server explained; worst first,
// in GetReport, ListReports, the JSON and after the rows themselves are gone. And the
// rebase of the new case columns (assigned_unit, due_at) over the server's pulls.
#include <catch2/catch.hpp>

#include "devicecore/json.h"
#include "devicecore/sync.h"
#include "scripted_device.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

constexpr const char* kR1 = "01890000-0000-7000-8000-0000000000d1";
constexpr const char* kR2 = "01890000-0000-7000-8000-0000000000d2";

struct Device : ScriptedDevice {
  using ScriptedDevice::ScriptedDevice;
  SyncState StateInList(const std::string& id) {
    auto list = db->ListReports();
    REQUIRE(list.ok());
    for (const Report& r : *list)
      if (r.id == id) return r.sync_state;
    FAIL("report " << id << " not listed");
    return SyncState::kSynced;
  }
};

wire::EntryVerdict V(uint64_t seq, wire::Verdict v, uint64_t server_seq = 0, std::string msg = "") {
  return {seq, v, server_seq, std::move(msg)};
}

// A reports row as the server holds it, with a chosen status, unit and due date.
std::string ServerRow(const std::string& id, const std::string& status, const std::string& unit,
                      const std::string& due) {
  return "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
         "address, status, assigned_unit, due_at, reporter_ref, created_at, updated_at) VALUES ('" +
         id + "', 'phan_anh', 'rac-thai', 'p05', 'Rác', 'mô tả', 10.76, 106.65, NULL, '" + status +
         "', " + (unit.empty() ? "NULL" : "'" + unit + "'") + ", '" + due +
         "', 'r-abc', '2027-01-15T00:00:00.000Z', '2027-01-16T00:00:00.000Z')";
}

}  // namespace

TEST_CASE("pending until the server answers, synced once the pull carries it", "[sync_state]") {
  Device d;
  d.Seed({kR1, kR2}, 2);
  CHECK(d.Get(kR1).sync_state == SyncState::kSynced);
  REQUIRE(d.db->AssignUnit(kR1, "p05", "").ok());
  REQUIRE(d.db->AddComment(kR1, "đang xem").ok());

  Report r = d.Get(kR1);
  CHECK(r.sync_state == SyncState::kPending);
  CHECK(r.sync.pending == 2);
  CHECK(r.pending_changes == 2);
  CHECK(d.StateInList(kR1) == SyncState::kPending);
  CHECK(d.StateInList(kR2) == SyncState::kSynced);
  std::string json = ReportToJson(r);
  CHECK_THAT(json, Catch::Contains(R"("sync_state":"pending")"));
  CHECK_THAT(
      json, Catch::Contains(R"("sync":{"pending":2,"parked":[],"rejected":[],"merged_notes":[]})"));
  CHECK_THAT(ReportsToJson(*d.db->ListReports()), Catch::Contains(R"("sync_state":"synced")"));

  // Applied, but the pull has not reached it: no longer pending (acked), still replayed.
  wire::SyncResponse acked;
  acked.cursor = 2;
  acked.verdicts = {V(1, wire::Verdict::kApplied, 5), V(2, wire::Verdict::kApplied, 6)};
  d.SyncOk(acked);
  CHECK(d.Get(kR1).sync_state == SyncState::kSynced);
  CHECK(d.Get(kR1).assigned_unit == std::optional<std::string>("p05"));

  wire::SyncResponse passed;
  passed.cursor = 6;
  passed.pull_changeset = PullBuilder().Change(ReportRowSql(kR1, "new", "p05")).Build();
  d.SyncOk(passed);
  CHECK(*d.db->OutboxCount() == 0);
  CHECK(d.Get(kR1).sync_state == SyncState::kSynced);
  CHECK(d.StateInList(kR1) == SyncState::kSynced);
}

TEST_CASE("rejected and parked changes mark their report, worst first, until discarded",
          "[sync_state]") {
  Device d;
  d.Seed({kR1, kR2}, 2);
  REQUIRE(d.db->AssignUnit(kR1, "phong-qldt", "").ok());             // #1: parked
  REQUIRE(d.db->SetDeadline(kR1, "2027-02-01T00:00:00Z", "").ok());  // #2: rejected
  REQUIRE(d.db->SetStatus(kR1, "accepted", "").ok());                // #3: retry, stays pending
  REQUIRE(d.db->SetStatus(kR2, "accepted", "").ok());                // #4: parked

  wire::SyncResponse resp;
  resp.cursor = 2;
  resp.verdicts = {V(1, wire::Verdict::kParked, 0, "conflict on assigned_unit / xung đột"),
                   V(2, wire::Verdict::kRejected, 0, "outside your unit / ngoài đơn vị"),
                   V(3, wire::Verdict::kRetry), V(4, wire::Verdict::kParked, 0, "conflict")};
  SyncResult result = d.SyncOk(resp);
  CHECK(result.parked == 2);
  CHECK(result.rejected == 1);
  REQUIRE(result.settled.size() == 3);
  CHECK(result.settled[0].verdict == "parked");
  CHECK(result.settled[0].report_ids == std::vector<std::string>{kR1});
  CHECK(result.settled[1].verdict == "rejected");
  CHECK(result.settled[1].message == "outside your unit / ngoài đơn vị");
  CHECK(result.settled[2].report_ids == std::vector<std::string>{kR2});
  CHECK(result.messages.size() == 3);

  Report r1 = d.Get(kR1);
  CHECK(r1.sync_state == SyncState::kRejected);
  CHECK(r1.sync.pending == 1);
  REQUIRE(r1.sync.parked.size() == 1);
  CHECK(r1.sync.parked[0].seq == 1);
  REQUIRE(r1.sync.rejected.size() == 1);
  CHECK(r1.sync.rejected[0].seq == 2);
  CHECK(r1.sync.rejected[0].message == "outside your unit / ngoài đơn vị");
  CHECK(d.Get(kR2).sync_state == SyncState::kParked);
  CHECK(d.StateInList(kR1) == SyncState::kRejected);
  CHECK(d.StateInList(kR2) == SyncState::kParked);
  std::string json = ReportToJson(r1);
  CHECK_THAT(json, Catch::Contains(R"("sync_state":"rejected")"));
  CHECK_THAT(json, Catch::Contains(R"("rejected":[{"seq":2,"message":"outside your unit / ngoài)"));
  CHECK_THAT(SettledToJson(*d.db->SettledChanges()),
             Catch::Contains(std::string(R"("report_ids":[")") + kR1 + "\"]"));

  // The user discards the rejection: the parked one is now the worst.
  REQUIRE(d.db->DiscardSettled(2).ok());
  CHECK(d.Get(kR1).sync_state == SyncState::kParked);
  REQUIRE(d.db->DiscardSettled(1).ok());
  CHECK(d.Get(kR1).sync_state == SyncState::kPending);
  auto sync = d.db->GetReportSync(kR1);
  REQUIRE(sync.ok());
  CHECK(sync->state == SyncState::kPending);
}

TEST_CASE("a rejected filing stays answerable after the report is gone", "[sync_state]") {
  Device d("citizen");
  NewReport nr;
  nr.category_id = "rac-thai";
  nr.ward_id = "p02";
  nr.title = "Rác";
  auto id = d.db->FileReport(nr);
  REQUIRE(id.ok());
  REQUIRE(d.db->AddComment(*id, "thêm ảnh sau").ok());
  wire::SyncResponse resp;
  resp.cursor = 0;
  resp.verdicts = {V(1, wire::Verdict::kRejected, 0, "category closed / lĩnh vực đã đóng"),
                   V(2, wire::Verdict::kRejected, 0, "no such report / không tìm thấy")};
  d.SyncOk(resp);
  CHECK(d.db->GetReport(*id).status().code() == StatusCode::kNotFound);
  auto sync = d.db->GetReportSync(*id);
  REQUIRE(sync.ok());
  CHECK(sync->state == SyncState::kRejected);
  CHECK(sync->rejected.size() == 2);  // the comment's entry is attributed to its report too
  auto settled = d.db->SettledChanges();
  REQUIRE(settled->size() == 2);
  CHECK(settled->at(1).report_ids == std::vector<std::string>{*id});
}

TEST_CASE("a merge the server explains is kept as a note, never replayed", "[sync_state]") {
  Device d;
  d.Seed({kR1}, 1);
  REQUIRE(d.db->SetStatus(kR1, "accepted", "nhận").ok());
  REQUIRE(d.db->AssignUnit(kR1, "p05", "").ok());

  // Page 1: both merged; #1 with a message (workflow precedence kept the server's status),
  // #2 silently. The pull has not reached them yet: both stay acked and replayed.
  wire::SyncResponse page1;
  page1.cursor = 1;
  page1.has_more = true;
  page1.verdicts = {
      V(1, wire::Verdict::kMerged, 4,
        "reports.status: workflow precedence kept in_progress / giữ trạng thái in_progress"),
      V(2, wire::Verdict::kMerged, 5)};
  // The server sends back both events the device wrote (stamped with their author), and
  // the report with its status kept.
  const std::string status_event =
      Query(d.path(), "SELECT id FROM case_events WHERE kind = 'status'");
  const std::string assign_event =
      Query(d.path(), "SELECT id FROM case_events WHERE kind = 'assignment'");
  wire::SyncResponse page2;
  page2.cursor = 5;
  page2.pull_changeset = PullBuilder()
                             .Change(ReportRowSql(kR1, "in_progress", "p05"))
                             .Change(
                                 "INSERT INTO case_events (id, report_id, kind, status, note, "
                                 "unit_id, author_ref, author_role, created_at) VALUES ('" +
                                 status_event + "', '" + kR1 +
                                 "', 'status', 'accepted', 'nhận', NULL, 'u-official', 'official', "
                                 "'2027-01-15T01:00:00.000Z')")
                             .Change(
                                 "INSERT INTO case_events (id, report_id, kind, status, note, "
                                 "unit_id, author_ref, author_role, created_at) VALUES ('" +
                                 assign_event + "', '" + kR1 +
                                 "', 'assignment', NULL, '', 'p05', 'u-official', 'official', "
                                 "'2027-01-15T01:00:00.000Z')")
                             .Build();
  bool between = false;
  d.server.script.push_back([&](const FakeTransport::Call&) { return SyncReply(page1); });
  d.server.script.push_back([&](const FakeTransport::Call&) {
    auto settled = d.db->SettledChanges();
    CHECK(settled->size() == 1);
    CHECK(*d.db->OutboxCount() == 2);  // acked, still here
    // Both local changes replayed: accepted, then assigning moved it on to assigned.
    CHECK(d.Get(kR1).status == "assigned");
    between = true;
    return SyncReply(page2);
  });
  auto r = Sync(*d.db, d.server);
  REQUIRE(r.ok());
  CHECK(between);
  CHECK(r->merged == 2);
  REQUIRE(r->settled.size() == 1);
  CHECK(r->settled[0].verdict == "merged");
  CHECK(r->settled[0].report_ids == std::vector<std::string>{kR1});
  REQUIRE(r->messages.size() == 1);
  CHECK_THAT(r->messages[0], Catch::StartsWith("#1 merged: reports.status"));

  // The device holds the server's view; the note stays, the report is synced.
  CHECK(*d.db->OutboxCount() == 0);
  Report rep = d.Get(kR1);
  CHECK(rep.status == "in_progress");
  CHECK(rep.assigned_unit == std::optional<std::string>("p05"));
  CHECK(rep.events.size() == 2);
  CHECK(rep.sync_state == SyncState::kSynced);
  REQUIRE(rep.sync.merged_notes.size() == 1);
  CHECK_THAT(rep.sync.merged_notes[0].message, Catch::Contains("workflow precedence"));
  auto settled = d.db->SettledChanges();
  REQUIRE(settled->size() == 1);
  CHECK(settled->at(0).verdict == "merged");
  CHECK_THAT(ReportToJson(rep), Catch::Contains(R"("merged_notes":[{"seq":1,)"));

  // Later syncs do not bring the merged change back.
  wire::SyncResponse quiet;
  quiet.cursor = 5;
  d.SyncOk(quiet);
  CHECK(d.Get(kR1).status == "in_progress");
  CHECK(d.Get(kR1).events.size() == 2);
  CHECK(d.server.SyncRequests().back().push.empty());
}

TEST_CASE("a pending assignment survives a pull that changes the status", "[pull][rebase]") {
  Device d;
  d.Seed({kR1}, 1);
  REQUIRE(d.db->AssignUnit(kR1, "phong-tnmt", "chuyển phòng TNMT").ok());

  // Meanwhile another official accepted the report; our entry is not decided yet.
  wire::SyncResponse resp;
  resp.cursor = 2;
  resp.verdicts = {V(1, wire::Verdict::kRetry)};
  resp.pull_changeset =
      PullBuilder().Change(ServerRow(kR1, "accepted", "", "2027-01-17T00:00:00.000Z")).Build();
  d.SyncOk(resp);
  Report rep = d.Get(kR1);
  CHECK(rep.status == "accepted");                                       // theirs
  CHECK(rep.assigned_unit == std::optional<std::string>("phong-tnmt"));  // ours, still pending
  REQUIRE(rep.events.size() == 1);
  CHECK(rep.events[0].kind == "assignment");
  CHECK(rep.sync_state == SyncState::kPending);

  // The server applies it (disjoint columns) and sends its row: exactly the server's view.
  wire::SyncResponse ok;
  ok.cursor = 4;
  ok.verdicts = {V(1, wire::Verdict::kApplied, 4)};
  ok.pull_changeset =
      PullBuilder()
          .Change(ServerRow(kR1, "accepted", "phong-tnmt", "2027-01-17T00:00:00.000Z"))
          .Change(
              "INSERT INTO case_events (id, report_id, kind, status, note, unit_id, author_ref, "
              "author_role, created_at) VALUES ('" +
              rep.events[0].id + "', '" + kR1 +
              "', 'assignment', NULL, 'chuyển phòng TNMT', 'phong-tnmt', 'u-official', "
              "'official', '" +
              rep.events[0].created_at + "')")
          .Build();
  d.SyncOk(ok);
  CHECK(*d.db->OutboxCount() == 0);
  rep = d.Get(kR1);
  CHECK(rep.status == "accepted");
  CHECK(rep.assigned_unit == std::optional<std::string>("phong-tnmt"));
  CHECK(rep.events.size() == 1);
  CHECK(rep.sync_state == SyncState::kSynced);
}

TEST_CASE("a pending deadline wins locally over a pulled deadline until the server decides",
          "[pull][rebase]") {
  Device d;
  d.Seed({kR1}, 1);
  REQUIRE(d.db->SetDeadline(kR1, "2027-02-01T00:00:00Z", "").ok());

  // The server moved the same column meanwhile.
  wire::SyncResponse resp;
  resp.cursor = 2;
  resp.verdicts = {V(1, wire::Verdict::kRetry)};
  resp.pull_changeset =
      PullBuilder().Change(ServerRow(kR1, "new", "", "2027-01-20T00:00:00.000Z")).Build();
  d.SyncOk(resp);
  CHECK(d.Get(kR1).due_at == std::optional<std::string>("2027-02-01T00:00:00.000Z"));
  CHECK(d.Get(kR1).sync_state == SyncState::kPending);

  SECTION("parked: the server keeps its value, the device shows it and why") {
    wire::SyncResponse parked;
    parked.cursor = 2;
    parked.verdicts = {V(1, wire::Verdict::kParked, 0, "conflict on due_at / xung đột hạn")};
    d.SyncOk(parked);
    Report rep = d.Get(kR1);
    CHECK(rep.due_at == std::optional<std::string>("2027-01-20T00:00:00.000Z"));
    CHECK(rep.events.empty());  // the deadline's comment went with the parked entry
    CHECK(rep.sync_state == SyncState::kParked);
    REQUIRE(rep.sync.parked.size() == 1);
    CHECK(rep.sync.parked[0].message == "conflict on due_at / xung đột hạn");
  }
  SECTION("merged with a message: the server's rules kept its value") {
    wire::SyncResponse merged;
    merged.cursor = 3;
    merged.verdicts = {V(1, wire::Verdict::kMerged, 3, "due_at: kept the server's deadline")};
    merged.pull_changeset =
        PullBuilder().Change(ServerRow(kR1, "new", "", "2027-01-20T00:00:00.000Z")).Build();
    d.SyncOk(merged);
    Report rep = d.Get(kR1);
    CHECK(rep.due_at == std::optional<std::string>("2027-01-20T00:00:00.000Z"));
    CHECK(rep.sync_state == SyncState::kSynced);
    CHECK(rep.sync.merged_notes.size() == 1);
  }
  SECTION("applied: the device's deadline is the server's now") {
    wire::SyncResponse applied;
    applied.cursor = 3;
    applied.verdicts = {V(1, wire::Verdict::kApplied, 3)};
    applied.pull_changeset =
        PullBuilder().Change(ServerRow(kR1, "new", "", "2027-02-01T00:00:00.000Z")).Build();
    d.SyncOk(applied);
    CHECK(d.Get(kR1).due_at == std::optional<std::string>("2027-02-01T00:00:00.000Z"));
    CHECK(d.Get(kR1).sync_state == SyncState::kSynced);
  }
  CHECK(*d.db->OutboxCount() == 0);
}

TEST_CASE("a version 1 database learns which reports its waiting changes touch",
          "[sync_state][schema]") {
  TempDir dir;
  FakeEnv env;
  std::string path = dir.File("old.db");
  std::string id;
  {
    auto db = Database::Open(path, {&env});
    REQUIRE(db.ok());
    NewReport nr;
    nr.category_id = "rac-thai";
    nr.ward_id = "p03";
    nr.title = "Rác";
    id = *(*db)->FileReport(nr);
    REQUIRE((*db)->AddComment(id, "bổ sung").ok());
  }
  {
    // What a version 1 device holds: no report_ids columns.
    auto raw = sql::Db::Open(path, false);
    REQUIRE(raw.ok());
    REQUIRE(raw->Exec("ALTER TABLE outbox DROP COLUMN report_ids;"
                      "ALTER TABLE settled_changes DROP COLUMN report_ids;"
                      "INSERT INTO settled_changes SELECT seq, changeset, 'rejected', 'no', 'x' "
                      "FROM outbox WHERE seq = 2;"
                      "DELETE FROM outbox WHERE seq = 2;"
                      "PRAGMA user_version = 1;")
                .ok());
  }
  auto db = Database::Open(path, {&env});
  REQUIRE(db.ok());
  CHECK(Query(path, "PRAGMA user_version") == "4");
  CHECK(Query(path, "SELECT report_ids FROM outbox WHERE seq = 1") == id);
  CHECK(Query(path, "SELECT report_ids FROM settled_changes WHERE seq = 2") == id);
  auto r = (*db)->GetReport(id);
  REQUIRE(r.ok());
  CHECK(r->sync_state == SyncState::kRejected);
  CHECK(r->sync.pending == 1);
}
