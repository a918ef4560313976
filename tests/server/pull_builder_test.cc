// Pulls through the real store: who sees what, the changeset applies on a fresh device,
// and paging with cursors.
#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "sync/pull/echo_base.h"
#include "sync/push/changeset_reader.h"

#include "q11sqlite/sqlite.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string File(StoreFixture& f, const Account& citizen, const std::string& ward) {
  DeviceDb phone;
  std::string id = NewId();
  auto v = f.PushOne(citizen, "phone-" + id, 1, phone.Capture(InsertReportSql(id, ward)));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  return id;
}

// The ids of the rows of `table` in a changeset.
std::set<std::string> Ids(const std::string& changeset) {
  DeviceDb dev;
  REQUIRE(sql::ApplyChangeset(dev.db(), changeset, [](int, sqlite3_changeset_iter*) {
            return sql::ConflictAction::kReplace;
          }).ok());
  std::set<std::string> ids;
  auto st = dev.db().Prepare("SELECT id FROM reports UNION ALL SELECT id FROM case_events");
  REQUIRE(st.ok());
  while (*st->Step()) ids.insert(st->Text(0));
  return ids;
}

std::string Rows(sql::Db& db) {
  auto st = db.Prepare(
      "SELECT id, kind, category_id, ward_id, title, description, lat, lon, address, status, "
      "assigned_unit, due_at, "
      "reporter_ref, created_at, updated_at, typeof(lat) FROM reports ORDER BY id");
  REQUIRE(st.ok());
  std::string out;
  while (*st->Step()) {
    for (int i = 0; i < 16; ++i) out += (st->IsNull(i) ? std::string("NULL") : st->Text(i)) + "|";
    out += "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("A citizen pulls only their own reports, officials their unit's, the district all") {
  StoreFixture f;
  std::string a1 = File(f, f.citizen, "p04"), a2 = File(f, f.citizen, "p05");
  std::string b1 = File(f, f.other_citizen, "p04");

  auto mine = f.store->Pull(f.citizen, 0, 0);
  REQUIRE(mine.ok());
  CHECK(mine->rows == 2);
  CHECK(Ids(mine->changeset) == std::set<std::string>{a1, a2});
  CHECK_FALSE(mine->has_more);
  CHECK(mine->cursor == 3);  // everything visible in the snapshot, including others' rows

  auto theirs = f.store->Pull(f.other_citizen, 0, 0);
  CHECK(Ids(theirs->changeset) == std::set<std::string>{b1});
  auto p04 = f.store->Pull(f.official_p04, 0, 0);
  CHECK(Ids(p04->changeset) == std::set<std::string>{a1, b1});
  auto q11 = f.store->Pull(f.official_q11, 0, 0);
  CHECK(Ids(q11->changeset) == std::set<std::string>{a1, a2, b1});
  auto leader = f.store->Pull(f.leader, 0, 0);
  CHECK(leader->rows == 3);
}

TEST_CASE("The pull changeset applies to a fresh device and yields the server's rows") {
  StoreFixture f;
  for (int i = 0; i < 5; ++i) File(f, i % 2 ? f.citizen : f.other_citizen, i % 2 ? "p04" : "p11");
  auto page = f.store->Pull(f.official_q11, 0, 0);
  REQUIRE(page.ok());
  CHECK(page->rows == 5);
  DeviceDb fresh;
  REQUIRE(sql::ApplyChangeset(fresh.db(), page->changeset, [](int, sqlite3_changeset_iter*) {
            return sql::ConflictAction::kAbort;  // a fresh device has nothing to conflict with
          }).ok());
  auto server = sql::Db::Open(f.db_path, false);
  REQUIRE(server.ok());
  std::string expected = Rows(*server);
  CHECK(expected.find("real|") != std::string::npos);  // lat stays a REAL
  CHECK(Rows(fresh.db()) == expected);
}

TEST_CASE("Case events reach the citizen whose report they are about") {
  StoreFixture f;
  std::string id = File(f, f.citizen, "p04");
  DeviceDb tablet;
  std::string event = NewId();
  auto v = f.PushOne(
      f.official_p04, "tablet", 1,
      tablet.Capture(
          "INSERT INTO case_events (id, report_id, kind, status, note, created_at) VALUES ('" +
          event + "', '" + id +
          "', 'status', 'accepted', 'Đã tiếp nhận', "
          "'2026-11-27T09:00:00Z')"));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  auto mine = f.store->Pull(f.citizen, 0, 0);
  CHECK(Ids(mine->changeset) == std::set<std::string>{id, event});
  auto other = f.store->Pull(f.other_citizen, 0, 0);
  CHECK(other->rows == 0);
  CHECK(other->changeset.empty());
  CHECK(other->cursor == 2);
}

TEST_CASE("Pages follow the cursor until nothing is left") {
  StoreFixture f;
  std::set<std::string> filed;
  for (int i = 0; i < 5; ++i) filed.insert(File(f, f.citizen, "p04"));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  std::vector<uint32_t> sizes;
  for (int round = 0; round < 10; ++round) {
    auto page = f.store->Pull(f.citizen, cursor, 2);
    REQUIRE(page.ok());
    CHECK(page->cursor > cursor);
    sizes.push_back(page->rows);
    for (const std::string& id : Ids(page->changeset)) CHECK(seen.insert(id).second);
    cursor = page->cursor;
    if (!page->has_more) break;
  }
  CHECK(sizes == std::vector<uint32_t>{2, 2, 1});
  CHECK(seen == filed);
  CHECK(cursor == 5);
  auto empty = f.store->Pull(f.citizen, cursor, 2);
  CHECK(empty->rows == 0);
  CHECK(empty->cursor == 5);
  CHECK_FALSE(empty->has_more);

  // An update moves the row to the end of the log: the next pull carries just that row.
  DeviceDb district;
  REQUIRE(sql::ApplyChangeset(
              district.db(), f.store->Pull(f.official_q11, 0, 0)->changeset,
              [](int, sqlite3_changeset_iter*) { return sql::ConflictAction::kReplace; })
              .ok());
  std::string first = *filed.begin();
  REQUIRE(f.PushOne(f.official_q11, "d", 1,
                    district.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + first +
                                     "'"))
              .verdict == wire::Verdict::kApplied);
  auto after = f.store->Pull(f.citizen, cursor, 2);
  CHECK(after->rows == 1);
  CHECK(Ids(after->changeset) == std::set<std::string>{first});
  CHECK(after->cursor == 6);
  // The superseded entries stay until compaction, which drops exactly them.
  CHECK(f.Query("SELECT count(*) FROM row_audience WHERE pk = '" + first + "'") == "6");
  auto dropped = f.store->CompactChangeLog(100);
  REQUIRE(dropped.ok());
  CHECK(*dropped == 3);
  CHECK(f.Query("SELECT count(*) FROM row_audience WHERE pk = '" + first + "'") == "3");
  CHECK(Ids(f.store->Pull(f.citizen, cursor, 2)->changeset) == std::set<std::string>{first});
}

TEST_CASE("The page size is capped and 0 means the default") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) File(f, f.citizen, "p04");
  CHECK(f.store->Pull(f.citizen, 0, 0)->rows == 3);
  CHECK(f.store->Pull(f.citizen, 0, 1)->rows == 1);
  CHECK(f.store->Pull(f.citizen, 0, 1)->has_more);
  CHECK(f.store->Pull(f.citizen, 0, 4000000000u)->rows == 3);
}

namespace {

// "op:table:id" for each change of a pull, in order (I insert, U update, D delete).
std::vector<std::string> Changes(const std::string& changeset) {
  std::vector<std::string> out;
  if (changeset.empty()) return out;
  auto cs = ReadChangeset(changeset);
  REQUIRE(cs.ok());
  for (const TableChanges& t : cs->tables)
    for (const RowChange& r : t.rows) {
      const auto& values = r.op == SQLITE_INSERT ? r.new_values : r.old_values;
      out.push_back(std::string(r.op == SQLITE_INSERT   ? "I"
                                : r.op == SQLITE_DELETE ? "D"
                                                        : "U") +
                    ":" + t.table + ":" + std::string(values[0].text()));
    }
  return out;
}

wire::EntryVerdict PushFrom(StoreFixture& f, const Account& who, const std::string& device,
                            uint64_t local_seq, const std::string& changeset, uint64_t cursor) {
  REQUIRE(f.store->BindDevice(device, who).ok());
  auto v = f.store->Push(who, device, {wire::PushEntry{local_seq, changeset}}, cursor);
  REQUIRE(v.ok());
  REQUIRE(v->size() == 1);
  return v->front();
}

std::string EventSql(const std::string& id, const std::string& report, const std::string& unit) {
  return "INSERT INTO case_events (id, report_id, kind, status, note, unit_id, created_at) "
         "VALUES ('" +
         id + "', '" + report + "', 'assignment', NULL, 'chuyển', '" + unit +
         "', '2027-01-15T01:00:00.000Z')";
}

}  // namespace

TEST_CASE("Echo suppression: a device's own update on what it had seen is not sent back to it") {
  StoreFixture f;
  std::string id = File(f, f.citizen, "p04");
  DeviceDb tablet;
  auto seen = f.store->Pull(f.official_p04, 0, 0, "tablet");
  REQUIRE(seen.ok());
  REQUIRE(sql::ApplyChangeset(tablet.db(), seen->changeset, [](int, sqlite3_changeset_iter*) {
            return sql::ConflictAction::kReplace;
          }).ok());
  const uint64_t cursor = seen->cursor;
  auto v = PushFrom(
      f, f.official_p04, "tablet", 1,
      tablet.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + id + "'"), cursor);
  REQUIRE(v.verdict == wire::Verdict::kApplied);

  auto own = f.store->Pull(f.official_p04, cursor, 0, "tablet");
  REQUIRE(own.ok());
  CHECK(own->rows == 0);
  CHECK(own->cursor >= v.server_seq);  // the cursor still moves past it
  // Everyone else gets it: another device of the same official, the district, the citizen.
  CHECK(Changes(f.store->Pull(f.official_p04, cursor, 0, "phone")->changeset) ==
        std::vector<std::string>{"I:reports:" + id});
  CHECK(Changes(f.store->Pull(f.official_q11, 0, 0, "desk")->changeset) ==
        std::vector<std::string>{"I:reports:" + id});
  CHECK(Changes(f.store->Pull(f.citizen, 0, 0, "citizen-phone")->changeset) ==
        std::vector<std::string>{"I:reports:" + id});

  SECTION("an update on a version the device had not seen is sent back") {
    auto stale = PushFrom(
        f, f.official_p04, "tablet", 2,
        tablet.Capture("UPDATE reports SET status = 'in_progress' WHERE id = '" + id + "'"),
        /*cursor=*/0);
    REQUIRE(stale.verdict == wire::Verdict::kApplied);
    CHECK(Changes(f.store->Pull(f.official_p04, cursor, 0, "tablet")->changeset) ==
          std::vector<std::string>{"I:reports:" + id});
  }
  SECTION("a later change by anyone else is sent back") {
    DeviceDb desk;
    auto all = f.store->Pull(f.official_q11, 0, 0, "desk");
    REQUIRE(sql::ApplyChangeset(desk.db(), all->changeset, [](int, sqlite3_changeset_iter*) {
              return sql::ConflictAction::kReplace;
            }).ok());
    auto other =
        PushFrom(f, f.official_q11, "desk", 1,
                 desk.Capture("UPDATE reports SET status = 'in_progress' WHERE id = '" + id + "'"),
                 all->cursor);
    REQUIRE(other.verdict == wire::Verdict::kApplied);
    CHECK(Changes(f.store->Pull(f.official_p04, cursor, 0, "tablet")->changeset) ==
          std::vector<std::string>{"I:reports:" + id});
  }
}

TEST_CASE("Reassignment removes the report and its events from the old unit's devices") {
  StoreFixture f;
  std::string id = File(f, f.citizen, "p04");
  DeviceDb desk;
  desk.Exec(InsertReportSql(id));
  const std::string e1 = NewId(), e2 = NewId();
  auto to_p05 = PushFrom(f, f.official_q11, "desk", 1,
                         desk.Capture("UPDATE reports SET assigned_unit = 'p05' WHERE id = '" + id +
                                      "'; " + EventSql(e1, id, "p05")),
                         0);
  INFO(to_p05.message);
  REQUIRE(to_p05.verdict == wire::Verdict::kApplied);
  auto p05 = f.store->Pull(f.official_p05, 0, 0, "p05-tablet");
  REQUIRE(p05.ok());
  CHECK(Changes(p05->changeset) ==
        std::vector<std::string>{"I:reports:" + id, "I:case_events:" + e1});

  auto onward =
      PushFrom(f, f.official_q11, "desk", 2,
               desk.Capture("UPDATE reports SET assigned_unit = 'phong-qldt' WHERE id = '" + id +
                            "'; " + EventSql(e2, id, "phong-qldt")),
               0);
  REQUIRE(onward.verdict == wire::Verdict::kApplied);
  // p05 no longer sees it: a removal of the report and of the event it had.
  auto gone = f.store->Pull(f.official_p05, p05->cursor, 0, "p05-tablet");
  REQUIRE(gone.ok());
  std::vector<std::string> changes = Changes(gone->changeset);
  std::sort(changes.begin(), changes.end());
  CHECK(changes == std::vector<std::string>{"D:case_events:" + e1, "D:reports:" + id});
  // The ward keeps seeing it all; the new unit gets the report with its whole history.
  std::vector<std::string> ward = Changes(f.store->Pull(f.official_p04, 0, 0, "w")->changeset);
  CHECK(std::count(ward.begin(), ward.end(), "I:reports:" + id) == 1);
  CHECK(std::count(ward.begin(), ward.end(), "I:case_events:" + e1) == 1);
  CHECK(std::count(ward.begin(), ward.end(), "I:case_events:" + e2) == 1);
  Account qldt = f.AddAccount("can-bo-qldt", Role::kOfficial, "phong-qldt");
  std::vector<std::string> dept = Changes(f.store->Pull(qldt, 0, 0, "q")->changeset);
  CHECK(std::count(dept.begin(), dept.end(), "I:reports:" + id) == 1);
  CHECK(std::count(dept.begin(), dept.end(), "I:case_events:" + e1) == 1);
  CHECK(std::count(dept.begin(), dept.end(), "I:case_events:" + e2) == 1);

  SECTION("a report that comes back to a unit is sent again, not removed") {
    auto back = PushFrom(
        f, f.official_q11, "desk", 3,
        desk.Capture("UPDATE reports SET assigned_unit = 'p05' WHERE id = '" + id + "'"), 0);
    REQUIRE(back.verdict == wire::Verdict::kApplied);
    std::vector<std::string> again =
        Changes(f.store->Pull(f.official_p05, p05->cursor, 0, "p05-tablet")->changeset);
    CHECK(std::count(again.begin(), again.end(), "I:reports:" + id) == 1);
    CHECK(std::count(again.begin(), again.end(), "D:reports:" + id) == 0);
  }
}

TEST_CASE("A version-2 change log is upgraded in place and keeps serving pulls") {
  StoreFixture f;
  std::string id = File(f, f.citizen, "p04");
  f.store.reset();
  {
    // Put the database back in the version-2 layout: no "gone", no "echo_device", an index
    // on row_audience(seq).
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec(R"sql(
      CREATE TABLE ra2 (audience TEXT NOT NULL, seq INTEGER NOT NULL, tbl TEXT NOT NULL,
        pk TEXT NOT NULL, PRIMARY KEY (audience, seq)) WITHOUT ROWID;
      INSERT INTO ra2 SELECT audience, seq, tbl, pk FROM row_audience;
      DROP TABLE row_audience;
      ALTER TABLE ra2 RENAME TO row_audience;
      CREATE INDEX row_audience_by_seq ON row_audience(seq);
      CREATE TABLE rl2 (tbl TEXT NOT NULL, pk TEXT NOT NULL, seq INTEGER NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tbl, pk)) WITHOUT ROWID;
      INSERT INTO rl2 SELECT tbl, pk, seq, deleted FROM row_log;
      DROP TABLE row_log;
      ALTER TABLE rl2 RENAME TO row_log;
      UPDATE meta SET value = 2 WHERE key = 'schema_version';)sql")
                .ok());
  }
  StoreOptions options;
  options.clock = [] { return kNowMs; };
  auto reopened = OpenSqliteStore(f.db_path, options);
  INFO(reopened.status().ToString());
  REQUIRE(reopened.ok());
  f.store = std::move(*reopened);
  CHECK(f.Query("SELECT value FROM meta WHERE key = 'schema_version'") == "10");
  CHECK(f.Query("SELECT count(*) FROM pragma_table_info('row_audience') WHERE name = 'gone'") ==
        "1");
  CHECK(f.Query("SELECT count(*) FROM pragma_table_info('row_log') WHERE name = 'echo_device'") ==
        "1");
  CHECK(f.Query("SELECT count(*) FROM pragma_table_info('row_log') WHERE name = 'echo_base'") ==
        "1");
  CHECK(f.Query("SELECT count(*) FROM sqlite_master WHERE name = 'row_audience_by_seq'") == "0");
  CHECK(Changes(f.store->Pull(f.citizen, 0, 0, "phone")->changeset) ==
        std::vector<std::string>{"I:reports:" + id});
}

TEST_CASE("A device's own new report comes back as an update of the stamped columns only") {
  StoreFixture f;
  DeviceDb phone;
  const std::string id = NewId();
  auto v = PushFrom(f, f.citizen, "phone", 1, phone.Capture(InsertReportSql(id, "p04")),
                    /*cursor=*/0);
  REQUIRE(v.verdict == wire::Verdict::kApplied);

  auto own = f.store->Pull(f.citizen, 0, 0, "phone");
  REQUIRE(own.ok());
  CHECK(Changes(own->changeset) == std::vector<std::string>{"U:reports:" + id});
  // Only what the server stamped travels (the device sent no receipt code, no reporter,
  // no received or due time).
  auto cs = ReadChangeset(own->changeset);
  REQUIRE(cs.ok());
  std::set<std::string> sent;
  const TableChanges& t = cs->tables.at(0);
  for (size_t i = 0; i < t.rows.at(0).new_values.size(); ++i)
    if (t.rows[0].new_values[i].defined())
      sent.insert(f.Query("SELECT name FROM pragma_table_info('reports') WHERE cid = " +
                          std::to_string(i)));
  CHECK(sent == std::set<std::string>{"due_at", "received_at", "receipt_code", "reporter_ref"});
  // Applied on the device's copy, it yields the server's row.
  REQUIRE(sql::ApplyChangeset(phone.db(), own->changeset, [](int, sqlite3_changeset_iter*) {
            return sql::ConflictAction::kAbort;  // the device's copy matches: no conflict
          }).ok());
  for (const char* col : {"receipt_code", "received_at", "due_at", "reporter_ref", "title"}) {
    INFO(col);
    CHECK(*phone.db().QueryText(std::string("SELECT ") + col + " FROM reports") ==
          f.Query(std::string("SELECT ") + col + " FROM reports WHERE id = '" + id + "'"));
  }

  // Every other device gets the whole row: the citizen's second phone, the ward's official.
  CHECK(Changes(f.store->Pull(f.citizen, 0, 0, "tablet")->changeset) ==
        std::vector<std::string>{"I:reports:" + id});
  CHECK(Changes(f.store->Pull(f.official_p04, 0, 0, "desk")->changeset) ==
        std::vector<std::string>{"I:reports:" + id});

  SECTION("a push without a pull cursor (no exchange to rely on) gets the whole row") {
    DeviceDb kiosk;
    const std::string other = NewId();
    REQUIRE(f.store->BindDevice("kiosk", f.other_citizen).ok());
    auto pushed = f.store->Push(f.other_citizen, "kiosk",
                                {wire::PushEntry{1, kiosk.Capture(InsertReportSql(other, "p04"))}});
    REQUIRE(pushed.ok());
    CHECK(Changes(f.store->Pull(f.other_citizen, 0, 0, "kiosk")->changeset) ==
          std::vector<std::string>{"I:reports:" + other});
  }
  SECTION("a page cut short sends the device's rows whole") {
    const std::string second = NewId();
    REQUIRE(PushFrom(f, f.citizen, "phone", 2, phone.Capture(InsertReportSql(second, "p04")),
                     own->cursor)
                .verdict == wire::Verdict::kApplied);
    auto first = f.store->Pull(f.citizen, 0, 1, "phone");
    REQUIRE(first.ok());
    CHECK(first->has_more);
    CHECK(Changes(first->changeset) == std::vector<std::string>{"I:reports:" + id});
    CHECK(Changes(f.store->Pull(f.citizen, first->cursor, 0, "phone")->changeset) ==
          std::vector<std::string>{"U:reports:" + second});
  }
}

TEST_CASE("A parked entry's new rows come back to its device whole") {
  StoreFixture f;
  const std::string id = File(f, f.citizen, "p04");
  DeviceDb tablet, desk;
  PullInto(f, f.official_p04, tablet);
  PullInto(f, f.official_q11, desk);
  const uint64_t cursor = f.store->Pull(f.official_p04, 0, 0, "tablet")->cursor;
  REQUIRE(PushFrom(f, f.official_q11, "desk", 1,
                   desk.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + id + "'"),
                   cursor)
              .verdict == wire::Verdict::kApplied);
  // The tablet, offline, rejects the report with a note: the status collides and is parked.
  const std::string event = NewId();
  auto v = PushFrom(
      f, f.official_p04, "tablet", 1,
      tablet.Capture("UPDATE reports SET status = 'rejected' WHERE id = '" + id +
                     "'; INSERT INTO case_events (id, report_id, kind, status, note, created_at) "
                     "VALUES ('" +
                     event + "', '" + id +
                     "', 'comment', NULL, 'trùng lặp', '2027-01-15T01:00:00.000Z')"),
      cursor);
  REQUIRE(v.verdict == wire::Verdict::kParked);
  // The device takes the parked entry back out, event included: it must come back whole.
  std::vector<std::string> back =
      Changes(f.store->Pull(f.official_p04, cursor, 0, "tablet")->changeset);
  CHECK(std::count(back.begin(), back.end(), "I:case_events:" + event) == 1);
  CHECK(std::count(back.begin(), back.end(), "I:reports:" + id) == 1);
}

TEST_CASE("echo_base round-trips every value type and refuses bytes it did not make") {
  ColumnValues in;
  Value real;
  real.type = Value::Type::kReal;
  real.r = 10.7629;
  Value blob;
  blob.type = Value::Type::kBlob;
  blob.s = std::string("\0\xff", 2);
  in.emplace_back(1, Value::Integer(-42));
  in.emplace_back(6, real);
  in.emplace_back(9, Value::Text("Phường 4 – đường Lạc Long Quân"));
  in.emplace_back(12, blob);
  in.emplace_back(20, Value::Null());
  const std::string bytes = EncodeEchoBase(in);
  auto out = DecodeEchoBase(bytes);
  REQUIRE(out.ok());
  REQUIRE(out->size() == in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    CHECK((*out)[i].first == in[i].first);
    CHECK(SameValue((*out)[i].second, in[i].second));
    CHECK((*out)[i].second.type == in[i].second.type);
  }
  CHECK(EncodeEchoBase({}).empty());
  CHECK(DecodeEchoBase("")->empty());
  // Every truncation, a wrong version and an unknown type are refused, never over-read.
  for (size_t n = 2; n < bytes.size(); ++n) {
    auto cut = DecodeEchoBase(bytes.substr(0, n));
    if (!cut.ok()) CHECK(cut.status().code() == StatusCode::kDataLoss);
  }
  CHECK(DecodeEchoBase(bytes.substr(0, 5)).status().code() == StatusCode::kDataLoss);
  CHECK(DecodeEchoBase("\x02").status().code() == StatusCode::kDataLoss);
  CHECK(DecodeEchoBase(std::string("\x01\x03\x09", 3)).status().code() == StatusCode::kDataLoss);
}
