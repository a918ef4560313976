// Pulls through the real store: who sees what, the changeset applies on a fresh device,
// and paging with cursors.
#include <catch2/catch.hpp>
#include <set>

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
  CHECK(f.Query("SELECT count(*) FROM row_audience WHERE pk = '" + first + "'") ==
        "3");  // old entries replaced
}

TEST_CASE("The page size is capped and 0 means the default") {
  StoreFixture f;
  for (int i = 0; i < 3; ++i) File(f, f.citizen, "p04");
  CHECK(f.store->Pull(f.citizen, 0, 0)->rows == 3);
  CHECK(f.store->Pull(f.citizen, 0, 1)->rows == 1);
  CHECK(f.store->Pull(f.citizen, 0, 1)->has_more);
  CHECK(f.store->Pull(f.citizen, 0, 4000000000u)->rows == 3);
}
