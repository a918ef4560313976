// Issue 3 on the server: the declared rules, every conflict kind, conflict records grouped
// per row, and resolution (refusals, a new server change that reaches every pull, audit).
#include <catch2/catch.hpp>

#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "sync/merge/conflict_rules.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string FiledReport(StoreFixture& f, DeviceDb* phone = nullptr) {
  DeviceDb local;
  DeviceDb& p = phone ? *phone : local;
  std::string id = NewId();
  REQUIRE(f.PushOne(f.citizen, "phone-" + id, 1, p.Capture(InsertReportSql(id))).verdict ==
          wire::Verdict::kApplied);
  return id;
}

std::string Update(const std::string& id, const std::string& set) {
  return "UPDATE reports SET " + set + " WHERE id = '" + id + "'";
}

std::optional<Settlement> Settle(std::string_view column, const char* base, const char* device,
                                 const char* server, Role role = Role::kOfficial) {
  Value b = Value::Text(base), d = Value::Text(device), s = Value::Text(server);
  return SettleConflict(ConflictSides{"reports", column, b, d, s, role});
}

std::string Settled(std::string_view column, const char* base, const char* device,
                    const char* server, Role role = Role::kOfficial) {
  std::optional<Settlement> v = Settle(column, base, device, server, role);
  return v ? std::string(v->value.text()) : "(parked)";
}

// Two officials' devices holding the report as the server has it.
struct TwoOfficials {
  explicit TwoOfficials(StoreFixture& f) : f(f) {
    id = FiledReport(f);
    PullInto(f, f.official_p04, a);
    PullInto(f, f.official_q11, b);
  }
  StoreFixture& f;
  std::string id;
  DeviceDb a, b;
};

std::string OpenConflictId(StoreFixture& f) {
  auto list = f.store->ListConflicts(ConflictFilter{});
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  return list->front().id;
}

}  // namespace

TEST_CASE("Rules: the further-along status wins on the main workflow path") {
  CHECK(Settled("status", "new", "in_progress", "accepted") == "in_progress");
  CHECK(Settled("status", "new", "accepted", "resolved") == "resolved");
  CHECK(Settled("status", "accepted", "closed", "in_progress") == "closed");
}

TEST_CASE("Rules: a closed case stays closed unless a leader or admin reopens it") {
  CHECK(Settled("status", "resolved", "in_progress", "closed") == "closed");
  CHECK(Settled("status", "new", "rejected", "closed") == "closed");
  CHECK(Settled("status", "resolved", "in_progress", "closed", Role::kLeader) == "in_progress");
  CHECK(Settled("status", "resolved", "accepted", "closed", Role::kAdmin) == "accepted");
}

TEST_CASE("Rules: a citizen's reopening wins over a result, not over renewed work") {
  CHECK(Settled("status", "resolved", "reopened", "closed", Role::kCitizen) == "reopened");
  CHECK(Settled("status", "closed", "reopened", "resolved", Role::kCitizen) == "reopened");
  CHECK(Settled("status", "resolved", "reopened", "in_progress", Role::kCitizen) == "in_progress");
  // assigned sits between accepted and in_progress on the main path.
  CHECK(Settled("status", "new", "assigned", "accepted") == "assigned");
  CHECK(Settled("status", "accepted", "assigned", "in_progress") == "in_progress");
  CHECK(Settled("status", "new", "duplicate", "accepted") == "(parked)");
}

TEST_CASE("Rules: rejected against a main-path status, and other columns, are parked") {
  CHECK(Settled("status", "new", "rejected", "accepted") == "(parked)");
  CHECK(Settled("status", "new", "accepted", "rejected") == "(parked)");
  CHECK(Settled("assigned_unit", "p04", "phong-qldt", "phong-tnmt") == "(parked)");
  CHECK(Settled("due_at", "2026-12-01T00:00:00.000Z", "2026-12-02T00:00:00.000Z",
                "2026-12-03T00:00:00.000Z") == "(parked)");
  CHECK(Settled("updated_at", "2026-11-27T08:00:00.000Z", "2026-11-27T09:30:00.000Z",
                "2026-11-27T09:10:00.000Z") == "2026-11-27T09:30:00.000Z");
}

TEST_CASE("DATA: a status further along merges, rejected against accepted parks one row") {
  StoreFixture f;
  TwoOfficials t(f);
  REQUIRE(
      f.PushOne(f.official_p04, "a", 1, t.a.Capture(Update(t.id, "status = 'accepted'"))).verdict ==
      wire::Verdict::kApplied);
  DeviceDb c;
  PullInto(f, f.official_p04, c);  // c's base: accepted
  // B's base is new, the server has accepted: in_progress is further along.
  auto vb = f.PushOne(f.official_q11, "b", 1, t.b.Capture(Update(t.id, "status = 'in_progress'")));
  CHECK(vb.verdict == wire::Verdict::kMerged);
  CHECK(f.Query("SELECT status FROM reports") == "in_progress");

  // A makes the same step (merged: nothing to write), then the next one (applied). Each
  // entry is one workflow step (workflow.h).
  REQUIRE(f.PushOne(f.official_p04, "a", 2, t.a.Capture(Update(t.id, "status = 'in_progress'")))
              .verdict == wire::Verdict::kMerged);
  REQUIRE(
      f.PushOne(f.official_p04, "a", 3, t.a.Capture(Update(t.id, "status = 'resolved'"))).verdict ==
      wire::Verdict::kApplied);
  // c rejects from its base accepted (an allowed step) while the server has resolved.
  auto vc = f.PushOne(f.official_p04, "c", 1,
                      c.Capture(Update(t.id, "status = 'rejected', due_at = NULL")));
  INFO(vc.message);
  CHECK(vc.verdict == wire::Verdict::kParked);
  // One conflict for the row, with only the column that really conflicts (due_at merged).
  CHECK(f.Query("SELECT count(*) FROM conflicts") == "1");
  CHECK(f.Query("SELECT group_concat(col || ':' || base_value || '/' || device_value || '/' || "
                "server_value) FROM conflict_columns") == "status:accepted/rejected/resolved");
  CHECK(f.Query("SELECT status || '|' || ifnull(due_at, '∅') FROM reports") == "resolved|∅");
  CHECK(f.Query("SELECT op || '|' || unit || '|' || user_name || '|' || device_id || '|' || "
                "local_seq || '|' || state FROM conflicts") == "update|p04|canbo.p04|c|1|open");
  CHECK(f.Query("SELECT action || '|' || subject FROM audit_log WHERE action <> 'sync.push'") ==
        "conflict.parked|conflict/" + OpenConflictId(f));
}

TEST_CASE("Resolution: take device writes the device's values as a new change every pull gets") {
  StoreFixture f;
  TwoOfficials t(f);
  REQUIRE(
      f.PushOne(f.official_p04, "a", 1, t.a.Capture(Update(t.id, "status = 'accepted'"))).verdict ==
      wire::Verdict::kApplied);
  REQUIRE(f.PushOne(f.official_q11, "b", 1,
                    t.b.Capture(Update(t.id, "status = 'rejected', assigned_unit = 'phong-qldt'")))
              .verdict == wire::Verdict::kParked);
  std::string id = OpenConflictId(f);
  auto before = f.store->Pull(f.official_p04, 0, 0);
  REQUIRE(before.ok());

  auto r =
      f.store->ResolveConflict(id, ConflictDecision{ConflictDecision::Take::kDevice, {}}, "admin");
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->server_seq > before->cursor);
  CHECK(f.Query("SELECT status || '|' || assigned_unit FROM reports") == "rejected|phong-qldt");
  // It reaches a device that had pulled everything before.
  auto after = f.store->Pull(f.official_p04, before->cursor, 0);
  REQUIRE(after.ok());
  CHECK(after->rows == 1);
  DeviceDb d;
  PullInto(f, f.official_p04, d);
  auto st = d.db().QueryText("SELECT status FROM reports WHERE id = '" + t.id + "'");
  REQUIRE(st.ok());
  CHECK(st->value_or("") == "rejected");

  auto detail = f.store->GetConflict(id);
  REQUIRE(detail.ok());
  CHECK(detail->summary.state == "resolved");
  CHECK(detail->summary.resolved_by == "admin");
  REQUIRE(detail->resolution.has_value());
  CHECK(detail->resolution->values.at("status") == FieldValue::Text("rejected"));
  CHECK(f.Query("SELECT count(*) FROM audit_log WHERE action = 'conflict.resolved' AND actor = "
                "'admin' AND subject = 'conflict/" +
                id + "'") == "1");

  SECTION("resolving twice is refused") {
    auto again = f.store->ResolveConflict(id, ConflictDecision{ConflictDecision::Take::kServer, {}},
                                          "admin");
    CHECK(again.status().code() == StatusCode::kAlreadyExists);
    CHECK_THAT(again.status().message(), Catch::Contains("already resolved"));
  }
}

TEST_CASE("Resolution: a conflict whose row changed since is refused, bad columns too") {
  StoreFixture f;
  TwoOfficials t(f);
  REQUIRE(
      f.PushOne(f.official_p04, "a", 1, t.a.Capture(Update(t.id, "status = 'accepted'"))).verdict ==
      wire::Verdict::kApplied);
  REQUIRE(
      f.PushOne(f.official_q11, "b", 1, t.b.Capture(Update(t.id, "status = 'rejected'"))).verdict ==
      wire::Verdict::kParked);
  std::string id = OpenConflictId(f);

  ConflictDecision unknown;
  unknown.set["title"] = FieldValue::Text("x");
  CHECK(f.store->ResolveConflict(id, unknown, "admin").status().code() ==
        StatusCode::kInvalidArgument);
  ConflictDecision bad_status;
  bad_status.set["status"] = FieldValue::Text("done");
  auto bad = f.store->ResolveConflict(id, bad_status, "admin");
  CHECK(bad.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(bad.status().message(), Catch::Contains("reports.status"));

  // Official A moves on: the conflict's row is no longer what the admin would decide on.
  REQUIRE(f.PushOne(f.official_p04, "a", 2, t.a.Capture(Update(t.id, "assigned_unit = 'p04'")))
              .verdict == wire::Verdict::kApplied);
  auto r =
      f.store->ResolveConflict(id, ConflictDecision{ConflictDecision::Take::kDevice, {}}, "admin");
  CHECK(r.status().code() == StatusCode::kAborted);
  CHECK_THAT(r.status().message(), Catch::Contains("changed since the conflict was parked"));
  CHECK(f.Query("SELECT status FROM reports") == "accepted");
  CHECK(f.Query("SELECT state FROM conflicts") == "open");
}

TEST_CASE("Resolution: set edits listed columns, the others keep the server's value") {
  StoreFixture f;
  TwoOfficials t(f);
  REQUIRE(f.PushOne(f.official_p04, "a", 1,
                    t.a.Capture(Update(t.id, "status = 'accepted', assigned_unit = 'p04'")))
              .verdict == wire::Verdict::kApplied);
  REQUIRE(f.PushOne(f.official_q11, "b", 1,
                    t.b.Capture(Update(t.id, "status = 'rejected', assigned_unit = 'phong-qldt'")))
              .verdict == wire::Verdict::kParked);
  ConflictDecision d;
  d.set["assigned_unit"] = FieldValue::Text("phong-tnmt");
  REQUIRE(f.store->ResolveConflict(OpenConflictId(f), d, "admin").ok());
  CHECK(f.Query("SELECT status || '|' || assigned_unit FROM reports") == "accepted|phong-tnmt");
}

TEST_CASE("Resolution: an admin who makes a case resolved stamps resolved_at, as a push does") {
  // Found by the convergence test (tests/integration/convergence_test.cc, soak seed
  // 776062): a case resolved by an admin's decision had no resolved_at, so its citizen could
  // never reopen it ("the report has no recorded result to reopen").
  StoreFixture f;
  TwoOfficials t(f);
  REQUIRE(
      f.PushOne(f.official_p04, "a", 1, t.a.Capture(Update(t.id, "status = 'accepted'"))).verdict ==
      wire::Verdict::kApplied);
  REQUIRE(
      f.PushOne(f.official_q11, "b", 1, t.b.Capture(Update(t.id, "status = 'rejected'"))).verdict ==
      wire::Verdict::kParked);
  const std::string cid = OpenConflictId(f);
  SECTION("set resolved: stamped") {
    ConflictDecision d;
    d.set["status"] = FieldValue::Text("resolved");
    REQUIRE(f.store->ResolveConflict(cid, d, "admin").ok());
    CHECK(f.Query("SELECT status FROM reports") == "resolved");
    CHECK(f.Query("SELECT resolved_at IS NOT NULL FROM reports") == "1");
  }
  SECTION("take server (accepted): not stamped") {
    REQUIRE(f.store->ResolveConflict(cid, {ConflictDecision::Take::kServer, {}}, "admin").ok());
    CHECK(f.Query("SELECT resolved_at IS NULL FROM reports") == "1");
  }
}

TEST_CASE("DELETE: a citizen withdraws a report nobody handled, it leaves every view") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = FiledReport(f, &phone);
  PullInto(f, f.citizen, phone);
  auto v = f.PushOne(f.citizen, "phone", 2,
                     phone.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
  INFO(v.message);
  CHECK(v.verdict == wire::Verdict::kApplied);
  CHECK(f.Query("SELECT count(*) FROM reports") == "0");
  CHECK(f.Query("SELECT deleted FROM row_log WHERE pk = '" + id + "'") == "1");
  CHECK(f.Query("SELECT count(*) FROM deleted_rows WHERE pk = '" + id + "'") == "1");
  DeviceDb official;
  official.Exec(InsertReportSql(id));  // an official's device that held it
  PullInto(f, f.official_p04, official);
  CHECK(official.db().QueryText("SELECT count(*) FROM reports")->value_or("") == "0");

  SECTION("an id that belonged to a deleted row is never reused") {
    auto again = f.PushOne(f.citizen, "phone", 3, DeviceDb().Capture(InsertReportSql(id)));
    CHECK(again.verdict == wire::Verdict::kRejected);
    CHECK_THAT(again.message, Catch::Contains("deleted"));
  }
  SECTION("NOTFOUND: an official's offline update of the withdrawn report is parked") {
    DeviceDb tablet;
    tablet.Exec(InsertReportSql(id));
    auto u =
        f.PushOne(f.official_p04, "tablet", 1, tablet.Capture(Update(id, "status = 'accepted'")));
    INFO(u.message);
    CHECK(u.verdict == wire::Verdict::kParked);
    CHECK(f.Query("SELECT count(*) FROM reports") == "0");
    auto c = f.store->GetConflict(OpenConflictId(f));
    REQUIRE(c.ok());
    CHECK(c->summary.op == ConflictOp::kUpdateDeleted);
    REQUIRE(c->columns.size() == 1);
    CHECK(c->columns[0].device == FieldValue::Text("accepted"));
    // Take device: the row comes back with the official's value.
    REQUIRE(f.store->ResolveConflict(c->summary.id, {ConflictDecision::Take::kDevice, {}}, "admin")
                .ok());
    CHECK(f.Query("SELECT status || '|' || title FROM reports") == "accepted|Rác tồn đọng");
    CHECK(f.Query("SELECT deleted FROM row_log WHERE pk = '" + id + "'") == "0");
  }
}

TEST_CASE("DELETE: a report filed and withdrawn before any sync brought it back is withdrawn") {
  // The phone never saw the server's copy: no received_at, due_at or server-made receipt
  // code in its base. Those stamps are not a change anybody made (found by the convergence
  // test, tests/integration/convergence_test.cc: such withdrawals were parked for an admin).
  StoreFixture f;
  DeviceDb phone, official;
  std::string id = FiledReport(f, &phone);
  CHECK(f.Query("SELECT received_at IS NOT NULL AND due_at IS NOT NULL AND receipt_code IS NOT "
                "NULL FROM reports") == "1");
  SECTION("nobody handled it: withdrawn") {
    auto v = f.PushOne(f.citizen, "phone", 2,
                       phone.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
    INFO(v.message);
    CHECK(v.verdict == wire::Verdict::kApplied);
    CHECK(f.Query("SELECT count(*) FROM reports") == "0");
    CHECK(f.Query("SELECT count(*) FROM conflicts") == "0");
  }
  SECTION("an official accepted it meanwhile: parked") {
    PullInto(f, f.official_p04, official);
    REQUIRE(f.PushOne(f.official_p04, "o", 1, official.Capture(Update(id, "status = 'accepted'")))
                .verdict == wire::Verdict::kApplied);
    auto v = f.PushOne(f.citizen, "phone", 2,
                       phone.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
    CHECK(v.verdict == wire::Verdict::kParked);
    CHECK(f.Query("SELECT status FROM reports") == "accepted");
  }
  SECTION("the citizen's other phone changed the title meanwhile: parked") {
    DeviceDb other;
    PullInto(f, f.citizen, other);
    REQUIRE(f.PushOne(f.citizen, "other", 1, other.Capture(Update(id, "title = 'Rác ở hẻm 5'")))
                .verdict == wire::Verdict::kApplied);
    auto v = f.PushOne(f.citizen, "phone", 2,
                       phone.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
    CHECK(v.verdict == wire::Verdict::kParked);
  }
}

TEST_CASE("DELETE vs UPDATE: a withdrawal after an official accepted is parked, the row stays") {
  StoreFixture f;
  DeviceDb phone, official;
  std::string id = FiledReport(f, &phone);
  PullInto(f, f.citizen, phone);
  PullInto(f, f.official_p04, official);
  REQUIRE(f.PushOne(f.official_p04, "o", 1, official.Capture(Update(id, "status = 'accepted'")))
              .verdict == wire::Verdict::kApplied);
  auto v = f.PushOne(f.citizen, "phone", 2,
                     phone.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
  INFO(v.message);
  CHECK(v.verdict == wire::Verdict::kParked);
  CHECK_THAT(v.message, Catch::Contains("withdrawal"));
  CHECK(f.Query("SELECT status FROM reports") == "accepted");
  std::string cid = OpenConflictId(f);
  auto c = f.store->GetConflict(cid);
  REQUIRE(c.ok());
  CHECK(c->summary.op == ConflictOp::kDelete);
  CHECK(c->columns.at(0).column == "status");
  CHECK(c->columns.at(0).server == FieldValue::Text("accepted"));

  SECTION("set is refused for a withdrawal") {
    ConflictDecision d;
    d.set["status"] = FieldValue::Text("new");
    CHECK(f.store->ResolveConflict(cid, d, "admin").status().code() ==
          StatusCode::kInvalidArgument);
  }
  SECTION("take device deletes it") {
    REQUIRE(f.store->ResolveConflict(cid, {ConflictDecision::Take::kDevice, {}}, "admin").ok());
    CHECK(f.Query("SELECT count(*) FROM reports") == "0");
    CHECK(f.Query("SELECT count(*) FROM case_events") == "0");
  }
  SECTION("take server keeps it") {
    REQUIRE(f.store->ResolveConflict(cid, {ConflictDecision::Take::kServer, {}}, "admin").ok());
    CHECK(f.Query("SELECT status FROM reports") == "accepted");
  }
}

TEST_CASE("DELETE: staff may not delete, events go only with their report") {
  StoreFixture f;
  DeviceDb official;
  std::string id = FiledReport(f);
  PullInto(f, f.official_p04, official);
  auto v = f.PushOne(f.official_p04, "o", 1,
                     official.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
  CHECK(v.verdict == wire::Verdict::kRejected);
  CHECK_THAT(v.message, Catch::Contains("reject or close"));
  DeviceDb other;
  PullInto(f, f.other_citizen, other);
  other.Exec(InsertReportSql(id));
  auto w = f.PushOne(f.other_citizen, "x", 1,
                     other.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
  CHECK(w.verdict == wire::Verdict::kRejected);
  CHECK_THAT(w.message, Catch::Contains("only their own reports"));
}

TEST_CASE("A citizen's edit of a report an official already accepted is parked, not lost") {
  StoreFixture f;
  DeviceDb phone, official;
  std::string id = FiledReport(f, &phone);
  PullInto(f, f.citizen, phone);
  PullInto(f, f.official_p04, official);
  REQUIRE(f.PushOne(f.official_p04, "o", 1, official.Capture(Update(id, "status = 'accepted'")))
              .verdict == wire::Verdict::kApplied);
  auto v = f.PushOne(f.citizen, "phone", 2,
                     phone.Capture(Update(id, "title = 'Rác tồn đọng ở hẻm 12'")));
  INFO(v.message);
  CHECK(v.verdict == wire::Verdict::kParked);
  CHECK(f.Query("SELECT title FROM reports") == "Rác tồn đọng");
  CHECK(f.Query("SELECT col || '|' || device_value FROM conflict_columns") ==
        "title|Rác tồn đọng ở hẻm 12");
}

TEST_CASE("CONFLICT, CONSTRAINT and FOREIGN_KEY kinds are refused with clear messages") {
  StoreFixture f;
  DeviceDb official;
  std::string id = FiledReport(f);
  PullInto(f, f.official_p04, official);
  auto status = f.PushOne(f.official_p04, "o", 1, official.Capture(Update(id, "status = 'done'")));
  CHECK(status.verdict == wire::Verdict::kRejected);
  CHECK_THAT(status.message, Catch::Contains("column status"));
  auto fk = f.PushOne(
      f.official_p04, "o", 2,
      official.Capture("INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES ('" +
                       NewId() + "', 'no-such-report', 'comment', 'x', '2026-11-27T08:00:00Z')"));
  CHECK(fk.verdict == wire::Verdict::kRejected);
  CHECK_THAT(fk.message, Catch::Contains("no such report"));
  DeviceDb other;
  auto collide = f.PushOne(f.other_citizen, "x", 1,
                           other.Capture(InsertReportSql(id, "p05", "rac-thai", "Khác")));
  CHECK(collide.verdict == wire::Verdict::kRejected);
  CHECK_THAT(collide.message, Catch::Contains("id already exists with other values"));
}
