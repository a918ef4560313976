// Applying a sync response: the server's pull lands, verdicts settle the outbox, and local
// changes still pending are rebased on top (undo, apply, replay) in one transaction.
#include <catch2/catch.hpp>

#include "devicecore/sync.h"
#include "scripted_device.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

constexpr const char* kR1 = "01890000-0000-7000-8000-0000000000a1";
constexpr const char* kR2 = "01890000-0000-7000-8000-0000000000a2";
constexpr const char* kR3 = "01890000-0000-7000-8000-0000000000a3";

// A logged-in device with a scripted server.
using Device = ScriptedDevice;

wire::EntryVerdict V(uint64_t seq, wire::Verdict v, uint64_t server_seq = 0, std::string msg = "") {
  return {seq, v, server_seq, std::move(msg)};
}

}  // namespace

TEST_CASE("a pull fills a fresh device and moves the cursor", "[pull]") {
  Device d;
  wire::SyncResponse resp;
  resp.cursor = 7;
  resp.pull_rows = 3;
  resp.pull_changeset = PullBuilder()
                            .Change(ReportRowSql(kR1, "accepted", "phong-tnmt"))
                            .Change(ReportRowSql(kR2, "new"))
                            .Change(
                                "INSERT INTO case_events (id, report_id, kind, status, note, "
                                "unit_id, author_ref, author_role, created_at) VALUES ('e1', '" +
                                std::string(kR1) +
                                "', 'status', 'accepted', 'Đã tiếp nhận', NULL, 'u-9', 'official', "
                                "'2027-01-15T01:00:00.000Z')")
                            .Build();
  SyncResult r = d.SyncOk(resp);
  CHECK(r.round_trips == 1);
  CHECK(r.pushed == 0);
  CHECK(r.pulled_rows == 3);
  CHECK(r.cursor == 7);
  CHECK(r.pending_after == 0);
  CHECK(*d.db->Cursor() == 7);
  CHECK(d.db->ListReports()->size() == 2);
  Report r1 = d.Get(kR1);
  CHECK(r1.status == "accepted");
  CHECK(r1.assigned_unit == std::optional<std::string>("phong-tnmt"));
  REQUIRE(r1.events.size() == 1);
  CHECK(r1.events[0].note == "Đã tiếp nhận");
  CHECK(r1.pending_changes == 0);
  // Applying the server's rows is not a local write: nothing to push back.
  CHECK(*d.db->OutboxCount() == 0);

  auto requests = d.server.SyncRequests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].cursor == 0);
  CHECK(requests[0].device_id == d.db->DeviceId());
  CHECK(requests[0].client == "q11/0.1.0");
  CHECK(requests[0].push.empty());
  CHECK(d.server.calls[0].bearer == "token-official");
  CHECK(d.server.calls[0].content_type == "application/x-q11-sync");
}

TEST_CASE("an INSERT for an existing row updates it, tombstones delete", "[pull]") {
  Device d;
  wire::SyncResponse first;
  first.cursor = 2;
  first.pull_changeset =
      PullBuilder().Change(ReportRowSql(kR1, "new")).Change(ReportRowSql(kR2, "new")).Build();
  d.SyncOk(first);

  wire::SyncResponse second;
  second.cursor = 5;
  // R2's tombstone carries other old values than the device holds (DATA → still deleted);
  // R3's is for a row the device never had (NOTFOUND → done).
  second.pull_changeset =
      PullBuilder()
          .Before(ReportRowSql(kR2, "rejected", "", "khác"))
          .Before(ReportRowSql(kR3, "new"))
          .Change(ReportRowSql(kR1, "resolved", "p05"))
          .Change(std::string("DELETE FROM reports WHERE id IN ('") + kR2 + "', '" + kR3 + "')")
          .Build();
  d.SyncOk(second);
  auto reports = d.db->ListReports();
  REQUIRE(reports->size() == 1);
  CHECK(reports->at(0).id == kR1);
  CHECK(reports->at(0).status == "resolved");
  CHECK(reports->at(0).assigned_unit == std::optional<std::string>("p05"));
  CHECK(*d.db->Cursor() == 5);
  CHECK(d.server.SyncRequests().back().cursor == 2);
}

TEST_CASE("a pending local edit survives a pull that changes another column", "[pull][rebase]") {
  Device d;
  d.Seed({kR1}, 1);
  REQUIRE(d.db->SetStatus(kR1, "accepted", "nhận").ok());

  // The server has meanwhile assigned the report; it has not decided our entry yet.
  wire::SyncResponse resp;
  resp.cursor = 2;
  resp.verdicts = {V(1, wire::Verdict::kRetry)};
  resp.pull_changeset = PullBuilder().Change(ReportRowSql(kR1, "new", "phong-tnmt")).Build();
  SyncResult r = d.SyncOk(resp);
  CHECK(r.pushed == 1);
  CHECK(r.retried == 1);
  CHECK(r.pending_after == 1);

  Report rep = d.Get(kR1);
  CHECK(rep.status == "accepted");                                       // ours
  CHECK(rep.assigned_unit == std::optional<std::string>("phong-tnmt"));  // theirs
  CHECK(rep.events.size() == 1);
  CHECK(rep.pending_changes == 1);

  // The same entry is sent again (same seq) and the server applies it.
  wire::SyncResponse ok;
  ok.cursor = 4;
  ok.verdicts = {V(1, wire::Verdict::kApplied, 4)};
  ok.pull_changeset =
      PullBuilder()
          .Change(ReportRowSql(kR1, "accepted", "phong-tnmt"))
          .Change(
              std::string("INSERT INTO case_events (id, report_id, kind, status, note, unit_id, "
                          "author_ref, author_role, created_at) VALUES ('ev-from-server', '") +
              kR1 +
              "', 'status', 'accepted', 'nhận', NULL, 'u-official', 'official', "
              "'2027-01-15T01:00:00.000Z')")
          .Build();
  r = d.SyncOk(ok);
  auto requests = d.server.SyncRequests();
  REQUIRE(requests.size() == 3);
  REQUIRE(requests[2].push.size() == 1);
  CHECK(requests[2].push[0].local_seq == requests[1].push[0].local_seq);
  CHECK(requests[2].push[0].changeset == requests[1].push[0].changeset);
  CHECK(r.applied == 1);
  CHECK(*d.db->OutboxCount() == 0);  // the cursor passed server_seq 4
  rep = d.Get(kR1);
  CHECK(rep.status == "accepted");
  CHECK(rep.assigned_unit == std::optional<std::string>("phong-tnmt"));
  CHECK(rep.pending_changes == 0);
}

TEST_CASE("same column: the local edit wins locally until the server rejects it",
          "[pull][rebase]") {
  Device d;
  d.Seed({kR1}, 1);
  REQUIRE(d.db->SetStatus(kR1, "accepted", "").ok());
  std::string event_id = d.Get(kR1).events.at(0).id;

  // Another official moved it to in_progress; our entry waits.
  wire::SyncResponse resp;
  resp.cursor = 2;
  resp.verdicts = {V(1, wire::Verdict::kRetry)};
  resp.pull_changeset = PullBuilder().Change(ReportRowSql(kR1, "in_progress", "p05")).Build();
  d.SyncOk(resp);
  CHECK(d.Get(kR1).status == "accepted");
  CHECK(d.Get(kR1).assigned_unit == std::optional<std::string>("p05"));

  // An empty round trip keeps everything as it is (undo of the rebased form is exact).
  wire::SyncResponse quiet;
  quiet.cursor = 2;
  quiet.verdicts = {V(1, wire::Verdict::kRetry)};
  d.SyncOk(quiet);
  CHECK(d.Get(kR1).status == "accepted");
  CHECK(d.Get(kR1).assigned_unit == std::optional<std::string>("p05"));

  // Now the server refuses: the device shows the server's value and keeps the refusal.
  wire::SyncResponse no;
  no.cursor = 2;
  no.verdicts = {V(1, wire::Verdict::kRejected, 0,
                   "status: in_progress cannot go back to accepted / không thể lùi trạng thái")};
  SyncResult r = d.SyncOk(no);
  CHECK(r.rejected == 1);
  REQUIRE(r.messages.size() == 1);
  CHECK_THAT(r.messages[0], Catch::Contains("cannot go back"));
  Report rep = d.Get(kR1);
  CHECK(rep.status == "in_progress");
  CHECK(rep.assigned_unit == std::optional<std::string>("p05"));
  CHECK(rep.updated_at == "2027-01-15T00:00:00.000Z");
  CHECK(rep.events.empty());  // our status event was part of the refused entry
  CHECK(*d.db->OutboxCount() == 0);
  auto settled = d.db->SettledChanges();
  REQUIRE(settled->size() == 1);
  CHECK(settled->at(0).seq == 1);
  CHECK(settled->at(0).verdict == "rejected");
  CHECK_THAT(settled->at(0).message, Catch::Contains("cannot go back"));
  CHECK(Query(d.path(), "SELECT count(*) FROM case_events WHERE id = '" + event_id + "'") == "0");
}

TEST_CASE("a rejected new report is taken out and kept visible in settled_changes",
          "[pull][settle]") {
  Device d("citizen");
  NewReport nr;
  nr.category_id = "rac-thai";
  nr.ward_id = "p05";
  nr.title = "Rác";
  auto id = d.db->FileReport(nr);
  REQUIRE(id.ok());
  auto keep = d.db->FileReport(nr);
  REQUIRE(keep.ok());

  wire::SyncResponse resp;
  resp.cursor = 3;
  resp.verdicts = {V(1, wire::Verdict::kRejected, 0, "category closed / lĩnh vực đã đóng"),
                   V(2, wire::Verdict::kApplied, 3)};
  resp.pull_changeset = PullBuilder().Change(ReportRowSql(*keep, "new")).Build();
  SyncResult r = d.SyncOk(resp);
  CHECK(r.pushed == 2);
  CHECK(r.rejected == 1);
  CHECK(r.applied == 1);
  CHECK(r.pending_after == 0);
  CHECK(d.db->GetReport(*id).status().code() == StatusCode::kNotFound);
  CHECK(d.db->GetReport(*keep).ok());
  CHECK(*d.db->OutboxCount() == 0);
  auto settled = d.db->SettledChanges();
  REQUIRE(settled->size() == 1);
  CHECK(settled->at(0).verdict == "rejected");
  CHECK(settled->at(0).message == "category closed / lĩnh vực đã đóng");
  CHECK(Query(d.path(), "SELECT length(changeset) > 0 FROM settled_changes") == "1");

  REQUIRE(d.db->DiscardSettled(1).ok());
  CHECK(d.db->SettledChanges()->empty());
  CHECK(d.db->DiscardSettled(1).code() == StatusCode::kNotFound);
}

TEST_CASE("a parked edit leaves the server's value and is reported", "[pull][settle]") {
  Device d;
  d.Seed({kR1}, 1);
  REQUIRE(d.db->ExecCaptured(std::string("UPDATE reports SET assigned_unit = 'p07' WHERE id = '") +
                             kR1 + "'")
              .ok());
  wire::SyncResponse resp;
  resp.cursor = 3;
  resp.verdicts = {V(1, wire::Verdict::kParked, 0, "conflict on assigned_unit, kept for an admin")};
  resp.pull_changeset = PullBuilder().Change(ReportRowSql(kR1, "new", "p06")).Build();
  SyncResult r = d.SyncOk(resp);
  CHECK(r.parked == 1);
  CHECK(d.Get(kR1).assigned_unit == std::optional<std::string>("p06"));
  REQUIRE(d.db->SettledChanges()->size() == 1);
  CHECK(d.db->SettledChanges()->at(0).verdict == "parked");
}

TEST_CASE("acked entries are replayed until the cursor passes their server_seq", "[pull][settle]") {
  Device d;
  NewReport nr;
  nr.category_id = "ngap-nuoc";
  nr.ward_id = "p01";
  nr.title = "Ngập";
  auto id = d.db->FileReport(nr);
  REQUIRE(id.ok());

  // Page 1: applied at seq 10, but the pull has only reached 5. Page 2 reaches 10 and
  // carries the server's version of the report (with its due date).
  wire::SyncResponse page1;
  page1.cursor = 5;
  page1.has_more = true;
  page1.verdicts = {V(1, wire::Verdict::kApplied, 10)};
  page1.pull_changeset = PullBuilder().Change(ReportRowSql(kR2, "new")).Build();
  wire::SyncResponse page2;
  page2.cursor = 10;
  page2.pull_changeset =
      PullBuilder()
          .Change(
              "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
              "address, status, assigned_unit, due_at, reporter_ref, created_at, updated_at) "
              "VALUES ('" +
              *id +
              "', 'phan_anh', 'ngap-nuoc', 'p01', 'Ngập', '', NULL, NULL, NULL, 'new', "
              "'phong-qldt', '2027-01-18T00:00:00.000Z', NULL, "
              "'2027-01-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z')")
          .Build();

  // Check the state between the two pages from inside the transport.
  bool checked_between = false;
  d.server.script.push_back([&](const FakeTransport::Call&) { return SyncReply(page1); });
  d.server.script.push_back([&](const FakeTransport::Call&) {
    auto entries = d.db->Outbox();
    CHECK(entries->size() == 1);
    CHECK(entries->at(0).state == "acked");
    CHECK(d.db->GetReport(*id).ok());                   // still here, replayed
    CHECK(d.db->GetReport(*id)->pending_changes == 0);  // acked is not pending
    checked_between = true;
    return SyncReply(page2);
  });
  auto r = Sync(*d.db, d.server);
  REQUIRE(r.ok());
  CHECK(checked_between);
  CHECK(r->round_trips == 2);
  CHECK(r->cursor == 10);
  auto requests = d.server.SyncRequests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[0].push.size() == 1);
  CHECK(requests[1].push.empty());  // acked entries are not sent again
  CHECK(requests[1].cursor == 5);
  CHECK(*d.db->OutboxCount() == 0);
  Report rep = d.Get(*id);
  CHECK(rep.due_at == std::optional<std::string>("2027-01-18T00:00:00.000Z"));
  CHECK(rep.assigned_unit == std::optional<std::string>("phong-qldt"));
  CHECK(d.db->ListReports()->size() == 2);
}

TEST_CASE("a page cut inside an acked entry keeps the server's version of the rows it brought",
          "[pull][settle]") {
  Device d;
  // One local transaction, two reports, without the columns the server stamps.
  auto local = [](const char* id, const char* title) {
    return std::string(
               "INSERT INTO reports (id, kind, category_id, ward_id, title, description, status, "
               "created_at, updated_at) VALUES ('") +
           id + "', 'phan_anh', 'rac-thai', 'p05', '" + title +
           "', 'mô tả', 'new', '2027-01-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z')";
  };
  REQUIRE(d.db->ExecCaptured(local(kR1, "Một") + "; " + local(kR2, "Hai")).ok());

  // The entry is applied up to seq 10; page 1 stops at 5 with the first report as the
  // server stamped it (due date, unit, pseudonym), page 2 brings the second.
  wire::SyncResponse page1;
  page1.cursor = 5;
  page1.has_more = true;
  page1.verdicts = {V(1, wire::Verdict::kApplied, 10)};
  page1.pull_changeset =
      PullBuilder().Change(ReportRowSql(kR1, "new", "phong-qldt", "Một")).Build();
  wire::SyncResponse page2;
  page2.cursor = 10;
  page2.pull_changeset =
      PullBuilder().Change(ReportRowSql(kR2, "new", "phong-qldt", "Hai")).Build();
  auto stamped = [&](const char* id) {
    Report r = d.Get(id);
    CHECK(r.due_at == std::optional<std::string>("2027-01-17T00:00:00.000Z"));
    CHECK(r.assigned_unit == std::optional<std::string>("phong-qldt"));
    CHECK(r.reporter_ref == std::optional<std::string>("r-abc"));
  };
  d.server.script.push_back([&](const FakeTransport::Call&) { return SyncReply(page1); });
  d.server.script.push_back([&](const FakeTransport::Call&) {
    stamped(kR1);  // the replayed entry did not put the device's own values back over it
    CHECK(d.Get(kR2).due_at == std::nullopt);  // still the device's copy
    return SyncReply(page2);
  });
  auto r = Sync(*d.db, d.server);
  REQUIRE(r.ok());
  CHECK(r->round_trips == 2);
  CHECK(*d.db->OutboxCount() == 0);
  stamped(kR1);
  stamped(kR2);
}

TEST_CASE("after a sync with no local writes the device holds exactly the server's rows",
          "[pull][rebase]") {
  Device d;
  d.Seed({kR1}, 1);
  // Several local entries touching the same row, one after another.
  REQUIRE(d.db->SetStatus(kR1, "accepted", "1").ok());
  REQUIRE(d.db->SetStatus(kR1, "in_progress", "2").ok());
  REQUIRE(
      d.db->ExecCaptured(std::string("UPDATE reports SET title = 'sửa' WHERE id = '") + kR1 + "'")
          .ok());
  // The server rejects the middle one, applies the others, and sends its truth.
  std::string server_rows =
      PullBuilder().Change(ReportRowSql(kR1, "accepted", "p05", "sửa")).Build();
  wire::SyncResponse resp;
  resp.cursor = 9;
  resp.verdicts = {V(1, wire::Verdict::kApplied, 7), V(2, wire::Verdict::kRejected, 0, "no"),
                   V(3, wire::Verdict::kMerged, 9)};
  resp.pull_changeset = server_rows;
  d.SyncOk(resp);
  Report rep = d.Get(kR1);
  CHECK(rep.status == "accepted");
  CHECK(rep.title == "sửa");
  CHECK(rep.assigned_unit == std::optional<std::string>("p05"));
  // The rejected entry's event is gone; the applied one's stays, since a server leaves out
  // of the pull what a device wrote as the server stored it (echo suppression).
  REQUIRE(rep.events.size() == 1);
  CHECK(rep.events[0].note == "1");
  CHECK(*d.db->OutboxCount() == 0);
  CHECK(Query(d.path(), "SELECT count(*) FROM reports") == "1");
}
