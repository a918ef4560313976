// The case life through the real store (validation, stamps and merge run inside Push):
// receipts, working-time deadlines, the workflow per role, overdue cases, duplicates, and
// the citizen's rating and reopening (docs/workflow.md). The store's clock is fixed at
// kNowMs, Friday 2026-11-27 16:00 in Hồ Chí Minh City.
#include <catch2/catch.hpp>

#include "protocol/receipt_code.h"
#include "protocol/workflow.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string FiledReport(StoreFixture& f, const std::string& category = "rac-thai") {
  DeviceDb phone;
  std::string id = NewId();
  auto v =
      f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id, "p04", category)));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  return id;
}

void RequireApplied(const wire::EntryVerdict& v) {
  INFO(v.message);
  CHECK(v.verdict == wire::Verdict::kApplied);
}

std::string Step(const std::string& id, const std::string& status) {
  return "UPDATE reports SET status = '" + status + "' WHERE id = '" + id + "'";
}

std::string Event(const std::string& report, const std::string& kind, const std::string& status,
                  const std::string& note, int stars = 0) {
  return "INSERT INTO case_events (id, report_id, kind, status, note, created_at, stars) VALUES "
         "('" +
         NewId() + "', '" + report + "', '" + kind + "', " +
         (status.empty() ? "NULL" : "'" + status + "'") + ", " +
         (note.empty() ? "NULL" : "'" + note + "'") + ", '2026-11-27T08:30:00.000Z', " +
         (stars ? std::to_string(stars) : "NULL") + ")";
}

// Moves a report along the main path as the ward official, one push per step.
void Walk(StoreFixture& f, DeviceDb& tablet, const std::string& id,
          std::initializer_list<const char*> steps, uint64_t* seq) {
  for (const char* s : steps) {
    INFO(s);
    RequireApplied(f.PushOne(f.official_p04, "tablet", ++*seq, tablet.Capture(Step(id, s))));
  }
}

}  // namespace

TEST_CASE("A filed report gets a receipt code, its receipt time and a working-time deadline") {
  StoreFixture f;
  std::string id = FiledReport(f);
  std::string code = f.Query("SELECT receipt_code FROM reports WHERE id = '" + id + "'");
  CHECK(receipt::IsCanonical(code));
  CHECK(f.Query("SELECT received_at FROM reports") == "2026-11-27T09:00:00.000Z");
  // rac-thai: 2 working days from Fri 16:00 = Fri 1 h + Mon 8 h + Tue 7 h → Tue 16:00.
  CHECK(f.Query("SELECT due_at FROM reports") == "2026-12-01T09:00:00.000Z");
  // The citizen's time (device clock) is kept beside it.
  CHECK(f.Query("SELECT created_at FROM reports") == "2026-11-27T08:00:00.000Z");

  // A well-formed code the device made is kept; one already taken is replaced.
  DeviceDb phone;
  std::string mine = NewId(), clash = NewId();
  auto v = f.PushOne(f.citizen, "phone-2", 1,
                     phone.Capture(InsertReportSql(mine) +
                                   "; UPDATE reports SET receipt_code = "
                                   "'Q11-7KXM-42PA' WHERE id = '" +
                                   mine + "'"));
  RequireApplied(v);
  CHECK(f.Query("SELECT receipt_code FROM reports WHERE id = '" + mine + "'") == "Q11-7KXM-42PA");
  DeviceDb other;
  v = f.PushOne(f.citizen, "phone-3", 1,
                other.Capture(InsertReportSql(clash) +
                              "; UPDATE reports SET receipt_code = "
                              "'Q11-7KXM-42PA' WHERE id = '" +
                              clash + "'"));
  RequireApplied(v);
  std::string assigned = f.Query("SELECT receipt_code FROM reports WHERE id = '" + clash + "'");
  CHECK(assigned != "Q11-7KXM-42PA");
  CHECK(receipt::IsCanonical(assigned));
  // The device learns the assigned code on its next pull.
  PullInto(f, f.citizen, other);
  CHECK(other.db()
            .QueryText("SELECT receipt_code FROM reports WHERE id = '" + clash + "'")
            ->value_or("") == assigned);
}

TEST_CASE("The whole workflow - each allowed step works for staff, citizens may not move it") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb phone;
  PullInto(f, f.citizen, phone);
  RequireRejected(f.PushOne(f.citizen, "phone", 1, phone.Capture(Step(id, "accepted"))),
                  "citizens may only reopen");
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  uint64_t seq = 0;
  RequireRejected(f.PushOne(f.official_p04, "tablet", ++seq, tablet.Capture(Step(id, "resolved"))),
                  "may not change from new to resolved");
  tablet.Exec("UPDATE reports SET status = 'new'");  // undo the refused local step
  Walk(f, tablet, id, {"accepted"}, &seq);
  RequireApplied(f.PushOne(
      f.official_p04, "tablet", ++seq,
      tablet.Capture("UPDATE reports SET status = 'assigned', assigned_unit = 'phong-tnmt' "
                     "WHERE id = '" +
                     id + "'")));
  Walk(f, tablet, id, {"in_progress", "resolved"}, &seq);
  CHECK(f.Query("SELECT resolved_at FROM reports") == "2026-11-27T09:00:00.000Z");
  RequireRejected(f.PushOne(f.official_p04, "tablet", ++seq, tablet.Capture(Step(id, "reopened"))),
                  "may not change from resolved to reopened for role official");
  tablet.Exec("UPDATE reports SET status = 'resolved'");
  Walk(f, tablet, id, {"closed"}, &seq);
  RequireRejected(
      f.PushOne(f.official_p04, "tablet", ++seq, tablet.Capture(Step(id, "in_progress"))),
      "may not change from closed to in_progress for role official (allowed: none)");
  CHECK(f.Query("SELECT status FROM reports") == "closed");
}

TEST_CASE("A duplicate names the report it duplicates") {
  StoreFixture f;
  std::string first = FiledReport(f), second = FiledReport(f);
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  RequireRejected(f.PushOne(f.official_p04, "tablet", 1, tablet.Capture(Step(second, "duplicate"))),
                  "a duplicate must name the report it duplicates");
  tablet.Exec("UPDATE reports SET status = 'new'");
  RequireRejected(f.PushOne(f.official_p04, "tablet", 2,
                            tablet.Capture("UPDATE reports SET status = 'duplicate', duplicate_of "
                                           "= 'nope' WHERE id = '" +
                                           second + "'")),
                  "no such report");
  tablet.Exec("UPDATE reports SET status = 'new', duplicate_of = NULL");
  RequireApplied(f.PushOne(f.official_p04, "tablet", 3,
                           tablet.Capture("UPDATE reports SET status = 'duplicate', duplicate_of "
                                          "= '" +
                                          first + "' WHERE id = '" + second + "'")));
  CHECK(f.Query("SELECT status || ' ' || duplicate_of FROM reports WHERE id = '" + second + "'") ==
        "duplicate " + first);
  // The public view names the original by its receipt code, so a citizen can follow it.
  auto pub = f.store->FindByReceipt(
      f.Query("SELECT receipt_code FROM reports WHERE id = '" + second + "'"));
  REQUIRE(pub.ok());
  REQUIRE(pub->has_value());
  CHECK((*pub)->duplicate_of ==
        f.Query("SELECT receipt_code FROM reports WHERE id = '" + first + "'"));
  // The ward list is for browsing: it gives away no receipt code, not even the original's.
  auto ward = f.store->ListPublicCases("p04", 10, 0);
  REQUIRE(ward.ok());
  REQUIRE(ward->size() == 2);
  for (const PublicCase& c : *ward) {
    CHECK(c.receipt_code.empty());
    CHECK(c.duplicate_of.empty());
  }
}

TEST_CASE("An overdue case changes status only with a progress note and a new date") {
  StoreFixture f;
  std::string id = FiledReport(f), late = FiledReport(f);
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  uint64_t seq = 0;
  // Its deadline lies in the past (officials may set due_at).
  RequireApplied(
      f.PushOne(f.official_p04, "tablet", ++seq,
                tablet.Capture("UPDATE reports SET due_at = '2026-11-20T00:00:00.000Z'")));
  RequireRejected(f.PushOne(f.official_p04, "tablet", ++seq, tablet.Capture(Step(id, "accepted"))),
                  "the case is overdue (deadline 2026-11-20T00:00:00.000Z)");
  tablet.Exec("UPDATE reports SET status = 'new'");
  // A new date without a progress note is refused; one in the past does not count.
  RequireRejected(
      f.PushOne(f.official_p04, "tablet", ++seq,
                tablet.Capture("UPDATE reports SET expected_at = '2026-12-04T10:00:00.000Z' WHERE "
                               "id = '" +
                               id + "'")),
      "needs a progress note");
  tablet.Exec("UPDATE reports SET expected_at = NULL");
  RequireRejected(
      f.PushOne(f.official_p04, "tablet", ++seq,
                tablet.Capture("UPDATE reports SET expected_at = '2026-11-26T10:00:00.000Z', "
                               "status = 'accepted' WHERE id = '" +
                               id + "'; " + Event(id, "progress", "", "Đang chờ vật tư"))),
      "the case is overdue");
  tablet.Exec("UPDATE reports SET expected_at = NULL, status = 'new'; DELETE FROM case_events");
  // Progress note + new future date + the status change in one change: applied.
  RequireApplied(f.PushOne(
      f.official_p04, "tablet", ++seq,
      tablet.Capture("UPDATE reports SET expected_at = '2026-12-04T10:00:00.000Z', status = "
                     "'accepted' WHERE id = '" +
                     id + "'; " + Event(id, "progress", "", "Đang chờ vật tư, xong trước 4/12"))));
  CHECK(f.Query("SELECT status || ' ' || expected_at FROM reports WHERE id = '" + id + "'") ==
        "accepted 2026-12-04T10:00:00.000Z");
  // Finishing an overdue case needs no new date.
  RequireApplied(
      f.PushOne(f.official_p04, "tablet", ++seq, tablet.Capture(Step(late, "rejected"))));
}

TEST_CASE("Citizens rate and reopen only their own results, within the reopen period") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb phone, stranger;
  PullInto(f, f.citizen, phone);
  RequireRejected(
      f.PushOne(f.citizen, "phone", 1, phone.Capture(Event(id, "rating", "", "Tốt", 5))),
      "rated only once the report is resolved");
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  uint64_t seq = 0;
  Walk(f, tablet, id, {"accepted", "in_progress", "resolved"}, &seq);
  RequireRejected(
      f.PushOne(f.official_p04, "tablet", ++seq, tablet.Capture(Event(id, "rating", "", "", 5))),
      "only the citizen who filed the report rates");
  phone.Exec("DELETE FROM case_events");
  PullInto(f, f.citizen, phone);
  PullInto(f, f.citizen, stranger);
  RequireRejected(
      f.PushOne(f.other_citizen, "stranger", 1, stranger.Capture(Event(id, "rating", "", "", 1))),
      "only comment on their own reports");
  RequireRejected(f.PushOne(f.citizen, "phone", 2, phone.Capture(Event(id, "rating", "", "", 6))),
                  "must be 1-5");
  RequireApplied(
      f.PushOne(f.citizen, "phone", 3, phone.Capture(Event(id, "rating", "", "Chưa sạch hẳn", 2))));
  // Reopening needs the reason in the same change.
  RequireRejected(f.PushOne(f.citizen, "phone", 4, phone.Capture(Step(id, "reopened"))),
                  "needs the reason");
  phone.Exec("UPDATE reports SET status = 'resolved'");
  RequireRejected(f.PushOne(f.other_citizen, "stranger", 2,
                            stranger.Capture(Step(id, "reopened") + "; " +
                                             Event(id, "status", "reopened", "Không đồng ý"))),
                  "only their own reports");
  // Outside the period (resolved 8 days before the server's now): refused.
  f.Query("UPDATE reports SET resolved_at = '2026-11-19T08:00:00.000Z' RETURNING 1");
  RequireRejected(f.PushOne(f.citizen, "phone", 5,
                            phone.Capture(Step(id, "reopened") + "; " +
                                          Event(id, "status", "reopened", "Rác vẫn còn"))),
                  "reopen period of 7 days");
  phone.Exec(
      "UPDATE reports SET status = 'resolved'; DELETE FROM case_events WHERE kind = "
      "'status' AND author_role IS NULL");
  f.Query("UPDATE reports SET resolved_at = '2026-11-21T09:00:00.000Z' RETURNING 1");
  RequireApplied(f.PushOne(
      f.citizen, "phone", 6,
      phone.Capture(Step(id, "reopened") + "; " + Event(id, "status", "reopened", "Rác vẫn còn"))));
  CHECK(f.Query("SELECT status FROM reports") == "reopened");
  // A citizen's status event that does not reopen is refused.
  RequireRejected(
      f.PushOne(f.citizen, "phone", 7, phone.Capture(Event(id, "status", "closed", "Xong"))),
      "only give the reason of a reopening");
  // The officials handle it again.
  PullInto(f, f.official_p04, tablet);
  Walk(f, tablet, id, {"in_progress", "resolved"}, &seq);
}

TEST_CASE("A citizen's reopening wins over a close made meanwhile") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb tablet, phone;
  PullInto(f, f.official_p04, tablet);
  uint64_t seq = 0;
  Walk(f, tablet, id, {"accepted", "in_progress", "resolved"}, &seq);
  PullInto(f, f.citizen, phone);          // the citizen sees resolved...
  Walk(f, tablet, id, {"closed"}, &seq);  // ...the official closes it meanwhile
  auto v = f.PushOne(f.citizen, "phone", 1,
                     phone.Capture(Step(id, "reopened") + "; " +
                                   Event(id, "status", "reopened", "Đèn vẫn chưa sáng")));
  INFO(v.message);
  CHECK(v.verdict == wire::Verdict::kMerged);
  CHECK(f.Query("SELECT status FROM reports") == "reopened");
}

TEST_CASE("The public receipt view holds the case but nothing about the reporter") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb tablet, phone;
  PullInto(f, f.official_p04, tablet);
  PullInto(f, f.citizen, phone);
  RequireApplied(f.PushOne(f.citizen, "phone", 1,
                           phone.Capture(Event(id, "comment", "", "Số tôi 0901234567"))));
  RequireApplied(f.PushOne(f.official_p04, "tablet", 1,
                           tablet.Capture(Step(id, "accepted") + "; " +
                                          Event(id, "status", "accepted", "Đã tiếp nhận"))));
  std::string code = f.Query("SELECT receipt_code FROM reports");
  auto found = f.store->FindByReceipt(code);
  REQUIRE(found.ok());
  REQUIRE(found->has_value());
  const PublicCase& c = **found;
  CHECK(c.status == "accepted");
  CHECK(c.category_vi == "Rác thải, vệ sinh môi trường");
  CHECK(c.due_at == "2026-12-01T09:00:00.000Z");
  REQUIRE(c.history.size() == 1);
  CHECK(c.history[0].note == "Đã tiếp nhận");
  auto missing = f.store->FindByReceipt("Q11-2222-2222");
  REQUIRE(missing.ok());
  CHECK_FALSE(missing->has_value());
}

TEST_CASE("Every status pair for every role - the server does exactly what the workflow allows") {
  StoreFixture f;
  std::string original = FiledReport(f);
  struct Who {
    const Account* account;
    const char* role;
  } roles[] = {{&f.citizen, "citizen"}, {&f.official_p04, "official"}, {&f.leader, "leader"}};
  int checked = 0;
  for (const Who& who : roles) {
    for (std::string_view from : workflow::kStatuses) {
      for (std::string_view to : workflow::kStatuses) {
        if (from == to) continue;
        std::string id = FiledReport(f);
        // The case stands at `from`, resolved an hour ago (the citizen's reopen period runs).
        f.Query("UPDATE reports SET status = '" + std::string(from) +
                "', resolved_at = '2026-11-27T08:00:00.000Z' WHERE id = '" + id + "' RETURNING 1");
        DeviceDb dev;
        PullInto(f, *who.account, dev);
        std::string change = "UPDATE reports SET status = '" + std::string(to) + "'" +
                             (to == "duplicate" ? ", duplicate_of = '" + original + "'" : "") +
                             " WHERE id = '" + id + "'; " +
                             Event(id, "status", std::string(to), "Lý do / reason");
        auto v = f.PushOne(*who.account, std::string(who.role) + "-" + id, 1, dev.Capture(change));
        bool allowed = workflow::TransitionAllowed(who.role, from, to);
        INFO(who.role << ": " << from << " -> " << to << ": " << v.message);
        CHECK((v.verdict == wire::Verdict::kApplied) == allowed);
        CHECK(f.Query("SELECT status FROM reports WHERE id = '" + id + "'") ==
              std::string(allowed ? to : from));
        ++checked;
      }
    }
  }
  CHECK(checked == 3 * 9 * 8);
}

TEST_CASE("A version 2 server database gains the case life's columns and tables on open") {
  TempDir dir;
  const std::string path = dir.path() + "/syncserver.db";
  { REQUIRE(OpenSqliteStore(path).ok()); }
  {
    auto db = sql::Db::Open(path, false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec("DROP INDEX reports_by_receipt").ok());
    for (const char* col :
         {"receipt_code", "received_at", "expected_at", "resolved_at", "duplicate_of"})
      REQUIRE(db->Exec(std::string("ALTER TABLE reports DROP COLUMN ") + col).ok());
    for (const char* col : {"level", "deadline_amount", "deadline_unit"})
      REQUIRE(db->Exec(std::string("ALTER TABLE categories DROP COLUMN ") + col).ok());
    REQUIRE(db->Exec("ALTER TABLE case_events DROP COLUMN stars; DROP TABLE holidays; "
                     "DROP TABLE response_templates; "
                     "UPDATE meta SET value = 2 WHERE key = 'schema_version'")
                .ok());
  }
  REQUIRE(OpenSqliteStore(path).ok());
  auto db = sql::Db::Open(path, false);
  REQUIRE(db.ok());
  auto text = [&](const std::string& sql) { return db->QueryText(sql)->value_or("NULL"); };
  CHECK(text("SELECT value FROM meta WHERE key = 'schema_version'") == "10");
  CHECK(text("SELECT group_concat(name, ',') FROM pragma_table_info('reports') WHERE cid >= 15") ==
        "receipt_code,received_at,expected_at,resolved_at,duplicate_of");
  CHECK(text("SELECT name FROM pragma_table_info('case_events') WHERE cid = 9") == "stars");
  CHECK(text("SELECT level || ' ' || deadline_amount || ' ' || deadline_unit FROM categories "
             "WHERE id = 'trat-tu-xay-dung'") == "complex 10 working_days");
  CHECK(text("SELECT count(*) FROM holidays") != "0");
  CHECK(text("SELECT count(*) FROM response_templates") != "0");
  CHECK(text("SELECT count(*) FROM sqlite_master WHERE name = 'reports_by_receipt'") == "1");
}
