// The server judges a change against its own row, never against the previous values a
// device claims (issue 13): every rule that reads a previous value, with a lying client
// whose changeset carries a forged base, and the honest conflicts that must still merge.
// The store's clock starts at kNowMs, Friday 2026-11-27 16:00 in Hồ Chí Minh City.
#include <catch2/catch.hpp>

#include "q11sqlite/sqlite.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string FiledReport(StoreFixture& f) {
  DeviceDb phone;
  std::string id = NewId();
  auto v = f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id)));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  return id;
}

std::string Step(const std::string& id, const std::string& status) {
  return "UPDATE reports SET status = '" + status + "' WHERE id = '" + id + "'";
}

void RequireVerdict(const wire::EntryVerdict& v, wire::Verdict want) {
  INFO(v.message);
  REQUIRE(v.verdict == want);
}

// A report of ward p04 whose deadline (due 2026-11-20) has passed, pulled by the ward
// official's `tablet` (entry 1 set the deadline).
std::string OverdueReport(StoreFixture& f, DeviceDb& tablet) {
  std::string id = FiledReport(f);
  PullInto(f, f.official_p04, tablet);
  RequireVerdict(
      f.PushOne(f.official_p04, "tablet", 1,
                tablet.Capture("UPDATE reports SET due_at = '2026-11-20T00:00:00.000Z'")),
      wire::Verdict::kApplied);
  return id;
}

std::string StatusOf(StoreFixture& f, const std::string& id) {
  return f.Query("SELECT status FROM reports WHERE id = '" + id + "'");
}

}  // namespace

TEST_CASE(
    "Forged base: an official cannot step a new report to closed by claiming it was resolved") {
  // The recipe of issue 13: on the phone, status = 'resolved' (refused by the server, but
  // kept locally), then status = 'closed', whose changeset claims 'resolved' as the base.
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb tablet;
  PullInto(f, f.official_p04, tablet);
  tablet.Exec("UPDATE reports SET status = 'resolved' WHERE id = '" + id + "'");
  auto v = f.PushOne(f.official_p04, "tablet", 1, tablet.Capture(Step(id, "closed")));
  RequireRejected(v, "the server's status is new; role official may not move it to closed");
  CHECK_THAT(v.message, Catch::Contains("allowed: accepted"));
  CHECK(StatusOf(f, id) == "new");
  CHECK(f.Query("SELECT count(*) FROM conflicts") == "0");
  // Nothing of it reached the change log: the citizen's report is the only row there.
  CHECK(f.Query("SELECT count(*) FROM row_log WHERE tbl = 'reports'") == "1");
}

TEST_CASE("Forged base: a hand-made changeset whose previous status equals the new one") {
  // SQLite's session never writes old == new; a modified app can. Such a change must not
  // slip past the rules that look at whether the status changes (the overdue rule) nor
  // win the merge as "further along".
  StoreFixture f;
  DeviceDb tablet;
  std::string id = OverdueReport(f, tablet);
  auto v = f.PushOne(f.official_p04, "tablet", 2,
                     ForgedReportUpdate(id, {{"status", "accepted", "accepted"}}));
  RequireRejected(v, "the case is overdue (deadline 2026-11-20T00:00:00.000Z)");
  CHECK(StatusOf(f, id) == "new");

  SECTION("and not overdue: the workflow still judges new → in_progress... → closed") {
    RequireVerdict(
        f.PushOne(f.official_p04, "tablet", 3,
                  tablet.Capture("UPDATE reports SET due_at = '2026-12-20T00:00:00.000Z'")),
        wire::Verdict::kApplied);
    auto closed = f.PushOne(f.official_p04, "tablet", 4,
                            ForgedReportUpdate(id, {{"status", "closed", "closed"}}));
    RequireRejected(closed, "the server's status is new; role official may not move it to closed");
    CHECK(StatusOf(f, id) == "new");
  }
}

TEST_CASE("Forged base: an update without the column's previous value is refused") {
  StoreFixture f;
  std::string id = FiledReport(f);
  auto v = f.PushOne(f.official_p04, "tablet", 1,
                     ForgedReportUpdate(id, {{"status", std::nullopt, "accepted"}}));
  RequireRejected(v, "column status: an update must carry the column's previous value");
  CHECK(StatusOf(f, id) == "new");
}

TEST_CASE("Forged base: a new expected date is judged against the server's, not the claimed one") {
  // The overdue rule accepts a status change that comes with a new future expected date.
  // Claiming the server's current date as the base must not make it count as new, and
  // claiming another base must not hide that the date did not change.
  StoreFixture f;
  DeviceDb tablet;
  std::string id = OverdueReport(f, tablet);
  // expected_at already the server's (set directly: an earlier, honest progress report).
  f.Query("UPDATE reports SET expected_at = '2026-11-25T00:00:00.000Z' WHERE id = '" + id + "'");
  auto v =
      f.PushOne(f.official_p04, "tablet", 2,
                ForgedReportUpdate(
                    id, {{"status", "new", "accepted"},
                         {"expected_at", "2026-01-01T00:00:00.000Z", "2026-11-25T00:00:00.000Z"}}));
  RequireRejected(v, "the case is overdue");
  CHECK(StatusOf(f, id) == "new");
}

TEST_CASE("Forged base: a citizen's reopening needs a result on the server, whatever the base") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  RequireVerdict(f.PushOne(f.citizen, "phone", 1, phone.Capture(InsertReportSql(id))),
                 wire::Verdict::kApplied);
  phone.Exec("UPDATE reports SET status = 'resolved' WHERE id = '" + id + "'");
  auto v = f.PushOne(
      f.citizen, "phone", 2,
      phone.Capture(Step(id, "reopened") +
                    "; INSERT INTO case_events (id, report_id, kind, status, note, created_at) "
                    "VALUES ('" +
                    NewId() + "', '" + id +
                    "', 'status', 'reopened', 'Chưa xử lý', '2026-11-27T08:30:00.000Z')"));
  RequireRejected(v, "the report has no recorded result to reopen");
  CHECK(StatusOf(f, id) == "new");
}

TEST_CASE("Honest conflicts still merge, and the merged verdict says which rule kept what") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  PullInto(f, f.official_q11, b);
  uint64_t seq = 0;
  for (const char* s : {"accepted", "in_progress"})
    RequireVerdict(f.PushOne(f.official_p04, "a", ++seq, a.Capture(Step(id, s))),
                   wire::Verdict::kApplied);
  // B still holds 'new' and accepts: A's in_progress is further along and stays.
  auto v = f.PushOne(f.official_q11, "b", 1, b.Capture(Step(id, "accepted")));
  RequireVerdict(v, wire::Verdict::kMerged);
  CHECK_THAT(v.message, Catch::Contains("reports.status of " + id +
                                        ": the server keeps status in_progress, not your accepted: "
                                        "another official moved the case further along"));
  CHECK_THAT(v.message, Catch::Contains("máy chủ giữ trạng thái in_progress"));
  CHECK(StatusOf(f, id) == "in_progress");
  // A change made on the server's own status applies without a note.
  DeviceDb c;
  PullInto(f, f.official_q11, c);
  c.Exec("UPDATE reports SET status = 'in_progress' WHERE id = '" + id + "'");
  auto won = f.PushOne(f.official_q11, "c", 1, c.Capture(Step(id, "resolved")));
  RequireVerdict(won, wire::Verdict::kApplied);
  CHECK(won.message.empty());
}

TEST_CASE("resolved_at is the server's time of the change that really resolved the case") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  uint64_t seq = 0;
  for (const char* s : {"accepted", "in_progress"})
    RequireVerdict(f.PushOne(f.official_p04, "a", ++seq, a.Capture(Step(id, s))),
                   wire::Verdict::kApplied);
  PullInto(f, f.official_q11, b);  // B holds in_progress
  f.now_ms = kNowMs + 3600000;     // 17:00: A resolves, then closes
  RequireVerdict(f.PushOne(f.official_p04, "a", ++seq, a.Capture(Step(id, "resolved"))),
                 wire::Verdict::kApplied);
  const std::string resolved_at = f.Query("SELECT resolved_at FROM reports");
  CHECK(resolved_at == "2026-11-27T10:00:00.000Z");
  RequireVerdict(f.PushOne(f.official_p04, "a", ++seq, a.Capture(Step(id, "closed"))),
                 wire::Verdict::kApplied);
  // B resolves it too, an hour later: the case stays closed, and resolved at A's time.
  f.now_ms = kNowMs + 2 * 3600000;
  auto v = f.PushOne(f.official_q11, "b", 1, b.Capture(Step(id, "resolved")));
  RequireVerdict(v, wire::Verdict::kMerged);
  CHECK_THAT(v.message, Catch::Contains("the server keeps status closed"));
  CHECK(f.Query("SELECT status || ' ' || resolved_at FROM reports") == "closed " + resolved_at);
}

TEST_CASE("Synced text must be valid UTF-8") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  // Valid except the title: 0xC3 0x28 is a truncated sequence.
  std::string sql = InsertReportSql(id);
  sql.replace(sql.find("'Rác tồn đọng'"), std::string("'Rác tồn đọng'").size(),
              "CAST(X'52C328' AS TEXT)");
  auto v = f.PushOne(f.citizen, "phone", 1, phone.Capture(sql));
  RequireRejected(v, "column title: must be valid UTF-8 text");
  CHECK(f.Query("SELECT count(*) FROM reports") == "0");
}

TEST_CASE("Synced text holds no NUL byte") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  // "R", NUL, "c": valid UTF-8, but cut short by every C string and refused by PostgreSQL.
  std::string sql = InsertReportSql(id);
  sql.replace(sql.find("'Rác tồn đọng'"), std::string("'Rác tồn đọng'").size(),
              "CAST(X'520063' AS TEXT)");
  auto v = f.PushOne(f.citizen, "phone", 1, phone.Capture(sql));
  RequireRejected(v, "column title: must be text without NUL bytes");
  CHECK(f.Query("SELECT count(*) FROM reports") == "0");
}

namespace {

std::string StatusWithNote(const std::string& id, const std::string& status,
                           const std::string& note, const std::string& event_id) {
  return Step(id, status) +
         "; INSERT INTO case_events (id, report_id, kind, status, note, created_at) VALUES ('" +
         event_id + "', '" + id + "', 'status', '" + status + "', '" + note +
         "', '2020-01-01T00:00:00.000Z')";
}

std::vector<std::string> PublicNotes(StoreFixture& f, const std::string& id) {
  auto pub =
      f.store->FindByReceipt(f.Query("SELECT receipt_code FROM reports WHERE id = '" + id + "'"));
  REQUIRE(pub.ok());
  REQUIRE(pub->has_value());
  std::vector<std::string> notes;
  for (const PublicCase::Step& s : (*pub)->history) notes.push_back(s.note);
  return notes;
}

}  // namespace

TEST_CASE("A losing side's status note is marked overruled and left out of the public history") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  PullInto(f, f.official_q11, b);
  const std::string a1 = NewId(), a2 = NewId(), b1 = NewId();
  RequireVerdict(
      f.PushOne(f.official_p04, "a", 1, a.Capture(StatusWithNote(id, "accepted", "A nhận", a1))),
      wire::Verdict::kApplied);
  RequireVerdict(
      f.PushOne(f.official_p04, "a", 2, a.Capture(StatusWithNote(id, "in_progress", "A làm", a2))),
      wire::Verdict::kApplied);
  // B, still at 'new', accepts with a note: the server keeps in_progress, so B's note
  // "accepted" is not true of the case.
  RequireVerdict(
      f.PushOne(f.official_q11, "b", 1, b.Capture(StatusWithNote(id, "accepted", "B nhận", b1))),
      wire::Verdict::kMerged);
  CHECK(f.Query("SELECT overruled FROM event_log WHERE event_id = '" + b1 + "'") ==
        "the reports.status change it announces was overruled: the server keeps status "
        "in_progress, not your accepted: another official moved the case further along "
        "meanwhile");
  CHECK(f.Query("SELECT count(*) FROM event_log WHERE overruled IS NULL") == "2");
  CHECK(PublicNotes(f, id) == std::vector<std::string>{"A nhận", "A làm"});
  // The event itself still reaches the officials' devices (append-only history).
  CHECK(f.Query("SELECT count(*) FROM case_events WHERE id = '" + b1 + "'") == "1");
  // Its receive time is the server's, not the device's 2020 clock.
  CHECK(f.Query("SELECT received_at FROM event_log WHERE event_id = '" + b1 + "'") ==
        "2026-11-27T09:00:00.000Z");
}

TEST_CASE("A parked status note is overruled until an admin takes the device's status") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  PullInto(f, f.official_q11, b);
  const std::string b1 = NewId();
  RequireVerdict(f.PushOne(f.official_p04, "a", 1, a.Capture(Step(id, "accepted"))),
                 wire::Verdict::kApplied);
  // rejected against accepted: no rule settles it, parked.
  RequireVerdict(f.PushOne(f.official_q11, "b", 1,
                           b.Capture(StatusWithNote(id, "rejected", "Không thuộc thẩm quyền", b1))),
                 wire::Verdict::kParked);
  CHECK(f.Query("SELECT overruled FROM event_log WHERE event_id = '" + b1 + "'") ==
        "the reports.status change it announces was parked for an admin (a conflict)");
  CHECK(PublicNotes(f, id).empty());
  auto list = f.store->ListConflicts(ConflictFilter{});
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  auto resolved = f.store->ResolveConflict(
      list->front().id, ConflictDecision{ConflictDecision::Take::kDevice, {}}, "admin");
  INFO(resolved.status().ToString());
  REQUIRE(resolved.ok());
  CHECK(StatusOf(f, id) == "rejected");
  CHECK(f.Query("SELECT overruled IS NULL FROM event_log WHERE event_id = '" + b1 + "'") == "1");
  CHECK(PublicNotes(f, id) == std::vector<std::string>{"Không thuộc thẩm quyền"});
}
