// Applying pushes through the real store: idempotency, the three-way merge and the
// conflict queue, and one bad entry not blocking the others.
#include <catch2/catch.hpp>

#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "sync/push/entry_retries.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string FiledReport(StoreFixture& f) {
  DeviceDb phone;
  std::string id = NewId();
  REQUIRE(f.PushOne(f.citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id))).verdict ==
          wire::Verdict::kApplied);
  return id;
}

std::string Update(const std::string& id, const std::string& set) {
  return "UPDATE reports SET " + set + " WHERE id = '" + id + "'";
}

// Pushes three entries from the citizen's "phone"; checks that the middle one was refused
// (its message containing `needle`) and the other two applied.
std::vector<wire::EntryVerdict> PushMiddleRefused(StoreFixture& f,
                                                  const std::vector<wire::PushEntry>& entries,
                                                  const std::string& needle) {
  REQUIRE(f.store->BindDevice("phone", f.citizen).ok());
  auto v = f.store->Push(f.citizen, "phone", entries);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  REQUIRE(v->size() == 3);
  CHECK((*v)[0].verdict == wire::Verdict::kApplied);
  CHECK((*v)[1].verdict == wire::Verdict::kRejected);
  CHECK_THAT((*v)[1].message, Catch::Contains(needle));
  CHECK((*v)[2].verdict == wire::Verdict::kApplied);
  return *v;
}

}  // namespace

TEST_CASE("A pushed report is stored with the server's stamps and a change-log sequence") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  auto v = f.PushOne(f.citizen, "phone", 1, phone.Capture(InsertReportSql(id, "p04", "tieng-on")));
  CHECK(v.verdict == wire::Verdict::kApplied);
  CHECK(v.server_seq == 1);
  CHECK(f.Query("SELECT reporter_ref FROM reports") == f.citizen.reporter_ref);
  // tieng-on: 4 working hours from Fri 16:00 (UTC+7): Fri 1 h, Mon 07:30 + 3 h = 10:30.
  CHECK(f.Query("SELECT due_at FROM reports") == "2026-11-30T03:30:00.000Z");
  CHECK(f.Query("SELECT value FROM meta WHERE key = 'last_seq'") == "1");
  CHECK(f.Query("SELECT group_concat(audience, ',') FROM (SELECT audience FROM row_audience ORDER "
                "BY audience)") == "all,r:" + f.citizen.reporter_ref + ",u:p04");
}

TEST_CASE("A replayed entry gets its recorded verdict and is not applied twice") {
  StoreFixture f;
  DeviceDb phone;
  std::string cs = phone.Capture(InsertReportSql(NewId()));
  auto first = f.PushOne(f.citizen, "phone", 7, cs);
  REQUIRE(first.verdict == wire::Verdict::kApplied);
  auto again = f.PushOne(f.citizen, "phone", 7, cs);
  CHECK(again.verdict == first.verdict);
  CHECK(again.server_seq == first.server_seq);
  // Even other bytes under the same (device, local_seq) are answered from the record.
  auto other_bytes = f.PushOne(f.citizen, "phone", 7, phone.Capture(InsertReportSql(NewId())));
  CHECK(other_bytes.verdict == wire::Verdict::kApplied);
  CHECK(other_bytes.server_seq == first.server_seq);
  CHECK(f.Query("SELECT count(*) FROM reports") == "1");
  CHECK(f.Query("SELECT value FROM meta WHERE key = 'last_seq'") == "1");
  // A rejection is recorded too.
  auto bad = f.PushOne(f.citizen, "phone", 8,
                       phone.Capture("UPDATE units SET name_en = 'x' WHERE id = 'p04'"));
  CHECK(bad.verdict == wire::Verdict::kRejected);
  auto bad_again = f.PushOne(f.citizen, "phone", 8, "");
  CHECK(bad_again.verdict == wire::Verdict::kRejected);
  CHECK(bad_again.message == bad.message);
}

TEST_CASE("The same row inserted again is a no-op, another row under a taken id is refused") {
  StoreFixture f;
  DeviceDb phone;
  std::string id = NewId();
  std::string cs = phone.Capture(InsertReportSql(id));
  REQUIRE(f.PushOne(f.citizen, "phone", 1, cs).verdict == wire::Verdict::kApplied);
  auto same = f.PushOne(f.citizen, "phone", 2, cs);  // re-sent under a new local_seq
  CHECK(same.verdict == wire::Verdict::kApplied);
  CHECK(same.server_seq == 0);
  DeviceDb other;
  auto clash = f.PushOne(f.citizen, "phone", 3,
                         other.Capture(InsertReportSql(id, "p04", "rac-thai", "Khác")));
  CHECK(clash.verdict == wire::Verdict::kRejected);
  CHECK_THAT(clash.message, Catch::Contains("id already exists"));
}

TEST_CASE("Three-way merge: edits of different columns both land") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  PullInto(f, f.official_q11, b);
  auto va = f.PushOne(
      f.official_p04, "a", 1,
      a.Capture(Update(id, "status = 'accepted', updated_at = '2026-11-27T09:10:00.000Z'")));
  CHECK(va.verdict == wire::Verdict::kApplied);
  auto vb =
      f.PushOne(f.official_q11, "b", 1,
                b.Capture(Update(
                    id, "assigned_unit = 'phong-tnmt', updated_at = '2026-11-27T09:20:00.000Z'")));
  INFO(vb.message);
  // updated_at was changed on both sides: settled by the declared rule (later wins).
  CHECK(vb.verdict == wire::Verdict::kMerged);
  CHECK(vb.server_seq > va.server_seq);
  CHECK(f.Query("SELECT status || '|' || assigned_unit || '|' || updated_at FROM reports") ==
        "accepted|phong-tnmt|2026-11-27T09:20:00.000Z");
  CHECK(f.Query("SELECT count(*) FROM conflicts") == "0");
}

TEST_CASE("Three-way merge: the same new value on both sides is no conflict") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  PullInto(f, f.official_q11, b);
  REQUIRE(f.PushOne(f.official_p04, "a", 1, a.Capture(Update(id, "status = 'accepted'"))).verdict ==
          wire::Verdict::kApplied);
  auto vb = f.PushOne(f.official_q11, "b", 1, b.Capture(Update(id, "status = 'accepted'")));
  CHECK(vb.verdict == wire::Verdict::kMerged);
  CHECK(vb.server_seq == 0);  // nothing changed on the server
  CHECK(f.Query("SELECT count(*) FROM conflicts") == "0");
}

TEST_CASE("Three-way merge: different values for one column are parked with all three values") {
  StoreFixture f;
  std::string id = FiledReport(f);
  DeviceDb a, b;
  PullInto(f, f.official_p04, a);
  PullInto(f, f.official_q11, b);
  REQUIRE(f.PushOne(f.official_p04, "a", 1, a.Capture(Update(id, "status = 'accepted'"))).verdict ==
          wire::Verdict::kApplied);
  auto vb = f.PushOne(f.official_q11, "b", 1,
                      b.Capture(Update(id, "status = 'rejected', assigned_unit = 'phong-qldt'")));
  INFO(vb.message);
  CHECK(vb.verdict == wire::Verdict::kParked);
  CHECK_THAT(vb.message, Catch::Contains("reports.status of " + id));
  CHECK(vb.server_seq > 0);  // assigned_unit did land
  CHECK(f.Query("SELECT status || '|' || assigned_unit FROM reports") == "accepted|phong-qldt");
  CHECK(f.Query("SELECT c.tbl || '|' || c.pk || '|' || k.col || '|' || k.base_value || '|' || "
                "k.device_value || '|' || k.server_value || '|' || c.user_id || '|' || "
                "c.device_id || '|' || c.state FROM conflicts c JOIN conflict_columns k ON "
                "k.conflict_id = c.id") ==
        "reports|" + id + "|status|new|rejected|accepted|" + f.official_q11.id + "|b|open");
}

TEST_CASE("An update of a row the server does not have is refused") {
  StoreFixture f;
  DeviceDb tablet;
  std::string id = NewId();
  tablet.Exec(InsertReportSql(id));
  auto v = f.PushOne(f.official_q11, "t", 1, tablet.Capture(Update(id, "status = 'accepted'")));
  CHECK(v.verdict == wire::Verdict::kRejected);
  CHECK_THAT(v.message, Catch::Contains("row not found"));
}

TEST_CASE("A refused entry is rolled back whole and does not block the entries after it") {
  StoreFixture f;
  DeviceDb phone;
  std::string good1 = NewId(), bad = NewId(), good2 = NewId();
  std::vector<wire::PushEntry> entries;
  entries.push_back({1, phone.Capture(InsertReportSql(good1))});
  // One local transaction: a valid report plus a comment on a report that does not exist.
  entries.push_back(
      {2, phone.Capture(InsertReportSql(bad) +
                        "; INSERT INTO case_events (id, report_id, kind, created_at) VALUES ('" +
                        NewId() + "', 'missing', 'comment', '2026-11-27T08:00:00Z')")});
  entries.push_back({3, phone.Capture(InsertReportSql(good2))});
  auto v = PushMiddleRefused(f, entries, "no such report");
  CHECK(f.Query("SELECT count(*) FROM reports WHERE id = '" + bad + "'") == "0");
  CHECK(f.Query("SELECT count(*) FROM reports") == "2");
  CHECK(f.Query("SELECT count(*) FROM applied_batches WHERE device_id = 'phone'") == "3");
}

TEST_CASE("An entry refused after it had written is taken back whole, the others stay once") {
  StoreFixture f;
  DeviceDb phone;
  const std::string kept = NewId(), event = NewId(), lost = NewId(), after = NewId();
  auto comment = [&](const std::string& report, const std::string& note) {
    return "INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES ('" + event +
           "', '" + report + "', 'comment', '" + note + "', '2026-11-27T08:00:00Z')";
  };
  std::vector<wire::PushEntry> entries;
  entries.push_back({1, phone.Capture(InsertReportSql(kept) + "; " + comment(kept, "Cảm ơn"))});
  // Reports are applied before case events: this entry's report is written, then its event
  // turns out to reuse entry 1's event id with other values, a refusal only the merge sees.
  DeviceDb other;
  entries.push_back({2, other.Capture(InsertReportSql(lost) + "; " + comment(lost, "Khác"))});
  entries.push_back({3, phone.Capture(InsertReportSql(after))});
  auto v = PushMiddleRefused(f, entries, "id already exists");
  CHECK(f.Query("SELECT count(*) FROM reports WHERE id = '" + lost + "'") == "0");
  CHECK(f.Query("SELECT group_concat(note) FROM case_events") == "Cảm ơn");
  CHECK(f.Query("SELECT count(*) FROM reports") == "2");
  // Sequences: entry 1's report and event, entry 3's report; none left behind by entry 2.
  CHECK(f.Query("SELECT value FROM meta WHERE key = 'last_seq'") == "3");
  CHECK(f.Query("SELECT count(*) FROM row_log") == "3");
  // Sent again, the whole push is answered from the record.
  auto again = f.store->Push(f.citizen, "phone", entries);
  REQUIRE(again.ok());
  CHECK((*again)[1].verdict == wire::Verdict::kRejected);
  CHECK((*again)[1].message == v[1].message);
  CHECK(f.Query("SELECT count(*) FROM reports") == "2");
}

TEST_CASE("A device id belongs to the first account that syncs with it") {
  StoreFixture f;
  CHECK(f.store->BindDevice("shared-phone", f.citizen).ok());
  CHECK(f.store->BindDevice("shared-phone", f.citizen).ok());
  CHECK(f.store->BindDevice("shared-phone", f.other_citizen).code() ==
        StatusCode::kPermissionDenied);
}

TEST_CASE("An entry that fails for a reason other than a refusal is retried, then set aside") {
  // A poison row: a trigger on the server (standing in for a bug or a row SQLite cannot
  // store) fails its insert with an SQL error, which is no refusal. The entries around it
  // must go on, the entry gets `retry` with its attempt, and after the last attempt it is
  // rejected for good so it no longer blocks the device's queue.
  StoreFixture f;
  f.Query(
      "CREATE TRIGGER poison BEFORE INSERT ON reports WHEN NEW.title = 'poison' "
      "BEGIN SELECT json('{'); END");
  DeviceDb phone;
  const std::string poison = NewId();
  std::vector<wire::PushEntry> entries = {
      {1, phone.Capture(InsertReportSql(NewId()))},
      {2, phone.Capture(InsertReportSql(poison, "p04", "rac-thai", "poison"))},
      {3, phone.Capture(InsertReportSql(NewId()))}};
  REQUIRE(f.store->BindDevice("phone", f.citizen).ok());
  for (int attempt = 1; attempt < kMaxEntryAttempts; ++attempt) {
    INFO("attempt " << attempt);
    auto v = f.store->Push(f.citizen, "phone", entries);
    REQUIRE(v.ok());
    REQUIRE(v->size() == 3);
    CHECK((*v)[0].verdict == wire::Verdict::kApplied);
    CHECK((*v)[1].verdict == wire::Verdict::kRetry);
    CHECK((*v)[1].server_seq == 0);
    CHECK_THAT((*v)[1].message, Catch::Contains("the server could not apply this change (attempt " +
                                                std::to_string(attempt) + " of 5)"));
    CHECK_THAT((*v)[1].message, Catch::Contains("malformed JSON"));
    CHECK((*v)[2].verdict == wire::Verdict::kApplied);
  }
  CHECK(f.Query("SELECT count(*) FROM reports") == "2");
  CHECK(f.Query("SELECT attempts FROM entry_retries WHERE local_seq = 2") == "4");
  auto last = f.store->Push(f.citizen, "phone", entries);
  REQUIRE(last.ok());
  CHECK((*last)[1].verdict == wire::Verdict::kRejected);
  CHECK_THAT((*last)[1].message,
             Catch::Contains("the server failed to apply this change 5 times; it is set aside"));
  // Final: recorded like any verdict, answered from the ledger from now on.
  f.Query("DROP TRIGGER poison");
  auto again = f.store->Push(f.citizen, "phone", {entries[1]});
  REQUIRE(again.ok());
  CHECK(again->front().verdict == wire::Verdict::kRejected);
  CHECK(f.Query("SELECT count(*) FROM reports WHERE id = '" + poison + "'") == "0");

  SECTION("a transient failure applies once it is gone") {
    DeviceDb other;
    const std::string later = NewId();
    f.Query(
        "CREATE TRIGGER poison BEFORE INSERT ON reports WHEN NEW.title = 'poison' "
        "BEGIN SELECT json('{'); END");
    wire::PushEntry entry{1, other.Capture(InsertReportSql(later, "p04", "rac-thai", "poison"))};
    CHECK(f.PushOne(f.citizen, "other", 1, entry.changeset).verdict == wire::Verdict::kRetry);
    f.Query("DROP TRIGGER poison");
    CHECK(f.PushOne(f.citizen, "other", 1, entry.changeset).verdict == wire::Verdict::kApplied);
    CHECK(f.Query("SELECT count(*) FROM reports WHERE id = '" + later + "'") == "1");
  }
}
