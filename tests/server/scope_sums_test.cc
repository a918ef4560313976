// Scope checksums on the server (sync/changelog/scope_sums.h): the sums kept in the push
// transaction equal the ones worked out from the rows after every kind of write, a complete
// pull carries exactly the digest of the rows a fresh device holds after it, a scope repair
// reads one audience and only one the account reads, and an old database gets its sums at
// its upgrade.
#include <catch2/catch.hpp>
#include <random>

#include "protocol/schema.h"
#include "protocol/schema_versions.h"
#include "protocol/scope_digest.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "store/sqlite/sqlite_conn.h"
#include "sync/access_scope.h"
#include "sync/changelog/scope_sums.h"
#include "sync/sync_service.h"
#include "sync/table_shapes.h"
#include "syncserver/store.h"
#include "units/unit_changes.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

// The kept sums and the ones the rows give, read from the database file in one snapshot.
std::pair<ScopeSums, ScopeSums> KeptAndActual(const std::string& db_path) {
  auto db = OpenSqliteConn(db_path, false);
  REQUIRE(db.ok());
  auto shapes = TableShapes::Load(db->db());
  REQUIRE(shapes.ok());
  REQUIRE(db->BeginRead().ok());
  auto kept = ReadScopeSums(*db);
  REQUIRE(kept.ok());
  auto actual = ComputeScopeSums(*db, *shapes, /*store=*/false);
  INFO(actual.status().ToString());
  REQUIRE(actual.ok());
  REQUIRE(db->Commit().ok());
  return {*kept, *actual};
}

void RequireKeptIsTruth(const std::string& db_path) {
  auto [kept, actual] = KeptAndActual(db_path);
  for (const ScopeDifference& d : CompareScopeSums(kept, actual)) {
    INFO("scope " << d.audience << ": kept " << d.kept.rows << " " << d.kept.Hex() << ", rows "
                  << d.actual.rows << " " << d.actual.Hex());
    CHECK(false);
  }
}

// The digest sum of every row of `tables` in `db`, as a device computes it.
wire::ScopeSum DigestTables(sql::Db& db, const std::vector<std::string_view>& tables) {
  wire::ScopeSum sum;
  for (std::string_view table : tables) {
    auto st = db.Prepare("SELECT * FROM " + std::string(table));
    REQUIRE(st.ok());
    while (*st->Step()) {
      wire::RowDigester d(table);
      sqlite3_stmt* raw = st->get();
      for (int i = 0; i < sqlite3_column_count(raw); ++i) {
        switch (sqlite3_column_type(raw, i)) {
          case SQLITE_INTEGER:
            d.AddInteger(sqlite3_column_int64(raw, i));
            break;
          case SQLITE_FLOAT:
            d.AddReal(sqlite3_column_double(raw, i));
            break;
          case SQLITE_TEXT:
            d.AddText(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(raw, i)),
                                       sqlite3_column_bytes(raw, i)));
            break;
          case SQLITE_BLOB:
            d.AddBlob(std::string_view(static_cast<const char*>(sqlite3_column_blob(raw, i)),
                                       sqlite3_column_bytes(raw, i)));
            break;
          default:
            d.AddNull();
        }
      }
      sum.Add(d.Finish());
    }
  }
  return sum;
}

const std::vector<std::string_view> kOwnTables = {"reports", "case_events", "photos"};
std::vector<std::string_view> RefTables() {
  return {schema::kPublishedReferenceTables.begin(), schema::kPublishedReferenceTables.end()};
}

// Pulls everything `who` sees into an empty device, `page` rows at a time; checks that only
// the last page carries checksums and that they are the device's digests.
void RequirePullSumsMatchDevice(StoreFixture& f, const Account& who, uint32_t page) {
  DeviceDb dev;  // the synced tables and the built-in reference rows, as a phone starts
  uint64_t cursor = 0;
  PullPage last;
  for (int i = 0; i < 10000; ++i) {
    auto p = f.store->Pull(who, cursor, page);
    REQUIRE(p.ok());
    if (!p->changeset.empty())
      REQUIRE(sql::ApplyChangeset(dev.db(), p->changeset, [](int kind, sqlite3_changeset_iter*) {
                return kind == SQLITE_CHANGESET_NOTFOUND ? sql::ConflictAction::kOmit
                                                         : sql::ConflictAction::kReplace;
              }).ok());
    cursor = p->cursor;
    if (p->has_more) {
      CHECK(p->scope_sums.empty());
      continue;
    }
    last = std::move(*p);
    break;
  }
  const std::vector<std::string> audiences = ReadAudiences(who);
  REQUIRE(last.scope_sums.size() == audiences.size());
  for (size_t i = 0; i < audiences.size(); ++i) {
    const auto& check = last.scope_sums[i];
    CHECK(check.audience == audiences[i]);
    const wire::ScopeSum device =
        DigestTables(dev.db(), check.audience == kReferenceAudience ? RefTables() : kOwnTables);
    INFO(who.name << " scope " << check.audience << ": server " << check.sum.rows << " "
                  << check.sum.Hex() << ", device " << device.rows << " " << device.Hex());
    CHECK(check.sum == device);
  }
}

std::string File(StoreFixture& f, const Account& citizen, const std::string& ward, DeviceDb& phone,
                 uint64_t seq) {
  std::string id = NewId();
  auto v =
      f.PushOne(citizen, "phone-" + citizen.name, seq, phone.Capture(InsertReportSql(id, ward)));
  REQUIRE(v.verdict == wire::Verdict::kApplied);
  return id;
}

std::string Update(const std::string& id, const std::string& set) {
  return "UPDATE reports SET " + set + " WHERE id = '" + id + "'";
}

void Reopen(StoreFixture& f) {
  f.store.reset();
  StoreOptions options;
  options.clock = [&f] { return f.now_ms; };
  auto s = OpenSqliteStore(f.db_path, options);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  f.store = std::move(*s);
}

}  // namespace

TEST_CASE("Scope sums: kept ones equal the rows' after pushes, moves, withdrawals, resolutions") {
  StoreFixture f;
  RequireKeptIsTruth(f.db_path);  // the reference rows alone
  std::mt19937 rng(17);
  DeviceDb lan, minh;
  uint64_t lan_seq = 0, minh_seq = 0, staff_seq = 0;
  std::vector<std::string> filed;
  const char* wards[] = {"p04", "p05"};
  const char* units[] = {"phong-tnmt", "phong-qldt", "p04"};
  for (int step = 0; step < 40; ++step) {
    const int what = static_cast<int>(rng() % 4);
    if (what == 0 || filed.size() < 3) {
      const bool first = rng() % 2 == 0;
      filed.push_back(File(f, first ? f.citizen : f.other_citizen, wards[rng() % 2],
                           first ? lan : minh, first ? ++lan_seq : ++minh_seq));
    } else if (what == 1) {
      // The district assigns a case to another unit: it leaves the old unit's scope.
      DeviceDb desk;
      PullInto(f, f.official_q11, desk);
      const std::string& id = filed[rng() % filed.size()];
      if (f.Query("SELECT count(*) FROM reports WHERE id = '" + id + "'") == "0") continue;
      auto v = f.PushOne(
          f.official_q11, "desk-q11", ++staff_seq,
          desk.Capture(Update(id, std::string("assigned_unit = '") + units[rng() % 3] + "'")));
      INFO(v.message);
      CHECK(v.verdict != wire::Verdict::kRejected);
    } else if (what == 2) {
      // A citizen withdraws a report: it goes, or is parked when staff took it up.
      const bool first = rng() % 2 == 0;
      DeviceDb& phone = first ? lan : minh;
      const Account& who = first ? f.citizen : f.other_citizen;
      PullInto(f, who, phone);
      auto ids = phone.db().Prepare("SELECT id FROM reports ORDER BY id LIMIT 1");
      REQUIRE(ids.ok());
      if (!*ids->Step()) continue;
      const std::string id = ids->Text(0);
      ids->Reset();
      f.PushOne(who, "phone-" + who.name, first ? ++lan_seq : ++minh_seq,
                phone.Capture("DELETE FROM reports WHERE id = '" + id + "'"));
    } else {
      // A comment event by the ward's official.
      DeviceDb desk;
      PullInto(f, f.official_p04, desk);
      auto ids = desk.db().Prepare("SELECT id FROM reports ORDER BY id LIMIT 1");
      REQUIRE(ids.ok());
      if (!*ids->Step()) continue;
      const std::string id = ids->Text(0);
      ids->Reset();
      f.PushOne(f.official_p04, "desk-p04", ++staff_seq,
                desk.Capture(Update(id, "status = 'accepted'")));
    }
    RequireKeptIsTruth(f.db_path);
  }
  for (const Account* who :
       {&f.citizen, &f.other_citizen, &f.official_p04, &f.official_p05, &f.official_q11, &f.leader})
    RequirePullSumsMatchDevice(f, *who, 5);

  SECTION("a conflict parked and resolved by the admin") {
    const std::string id = File(f, f.citizen, "p04", lan, ++lan_seq);
    DeviceDb a, b;
    PullInto(f, f.official_p04, a);
    PullInto(f, f.official_q11, b);
    REQUIRE(
        f.PushOne(f.official_p04, "a", 1, a.Capture(Update(id, "status = 'accepted'"))).verdict ==
        wire::Verdict::kApplied);
    auto vb = f.PushOne(f.official_q11, "b", 1,
                        b.Capture(Update(id, "status = 'rejected', assigned_unit = 'phong-qldt'")));
    REQUIRE(vb.verdict == wire::Verdict::kParked);
    RequireKeptIsTruth(f.db_path);
    auto list = f.store->ListConflicts(ConflictFilter{});
    REQUIRE(list.ok());
    REQUIRE(!list->empty());
    std::string conflict;
    for (const ConflictSummary& c : *list)
      if (c.row_id == id && c.state == "open") conflict = c.id;
    REQUIRE(!conflict.empty());
    auto resolved = f.store->ResolveConflict(
        conflict, ConflictDecision{ConflictDecision::Take::kDevice, {}}, "admin");
    INFO(resolved.status().ToString());
    REQUIRE(resolved.ok());
    RequireKeptIsTruth(f.db_path);
    RequirePullSumsMatchDevice(f, f.official_p04, 3);
  }
  SECTION("a reference set published with a category renamed") {
    f.store.reset();
    {
      auto set = LoadReferenceSet("hcmc-2025");
      REQUIRE(set.ok());
      auto& categories = set->rows.at("categories");
      REQUIRE(!categories.empty());
      categories.front()[1] = Value::Text("Tên mới");  // name_vi
      auto db = OpenSqliteConn(f.db_path, false);
      REQUIRE(db.ok());
      auto shapes = TableShapes::Load(db->db());
      REQUIRE(shapes.ok());
      auto units = UnitChanges::Create(*db, *shapes);
      REQUIRE(units.ok());
      REQUIRE(db->BeginWrite().ok());
      PublishOutcome out;
      Status published = (*units)->Publish(*set, f.now_ms, &out);
      INFO(published.ToString());
      REQUIRE(published.ok());
      REQUIRE(db->Commit().ok());
      CHECK(out.rows_written >= 1);
    }
    Reopen(f);
    RequireKeptIsTruth(f.db_path);
    RequirePullSumsMatchDevice(f, f.citizen, 7);
  }
  SECTION("a units merge moves cases between scopes") {
    f.store.reset();
    {
      auto db = OpenSqliteConn(f.db_path, false);
      REQUIRE(db.ok());
      auto shapes = TableShapes::Load(db->db());
      REQUIRE(shapes.ok());
      auto units = UnitChanges::Create(*db, *shapes);
      REQUIRE(units.ok());
      REQUIRE(db->BeginWrite().ok());
      UnitMergeOutcome out;
      Status merged = (*units)->Merge({"p05"}, "p04", f.now_ms, true, &out);
      INFO(merged.ToString());
      REQUIRE(merged.ok());
      REQUIRE(db->Commit().ok());
    }
    Reopen(f);
    RequireKeptIsTruth(f.db_path);
    RequirePullSumsMatchDevice(f, f.official_p04, 4);
    RequirePullSumsMatchDevice(f, f.leader, 50);
  }
}

TEST_CASE("Scope sums: a database without them gets them computed when the store opens") {
  StoreFixture f;
  DeviceDb phone;
  for (int i = 1; i <= 5; ++i) File(f, f.citizen, i % 2 ? "p04" : "p05", phone, i);
  auto [before, unused] = KeptAndActual(f.db_path);
  f.store.reset();
  {
    // As a version 9 database: no sums, no row digests, no mark.
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec("DELETE FROM scope_sums; DELETE FROM meta WHERE key = 'scope_sums'; "
                     "UPDATE row_log SET digest_hi = NULL, digest_lo = NULL, "
                     "digest_audiences = NULL")
                .ok());
  }
  Reopen(f);
  auto [kept, actual] = KeptAndActual(f.db_path);
  CHECK(kept == before);
  CHECK(CompareScopeSums(kept, actual).empty());
  CHECK(kept.at("all").rows == 5);
  // And later writes keep them from there: the row digests were stored too.
  File(f, f.citizen, "p04", phone, 6);
  RequireKeptIsTruth(f.db_path);
  CHECK(KeptAndActual(f.db_path).first.at("all").rows == 6);
  // A built-in reference row a newer build seeds (no change log) counts from the next open.
  const uint64_t ref_rows = KeptAndActual(f.db_path).first.at("ref").rows;
  f.store.reset();
  {
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec("INSERT INTO categories (id, name_vi, name_en, default_unit, deadline_hours) "
                     "SELECT 'moi', 'Mới', 'New', default_unit, deadline_hours FROM categories "
                     "LIMIT 1")
                .ok());
  }
  Reopen(f);
  RequireKeptIsTruth(f.db_path);
  CHECK(KeptAndActual(f.db_path).first.at("ref").rows == ref_rows + 1);
}

TEST_CASE("Scope sums: a kept sum changed behind the server's back is found and fixed") {
  StoreFixture f;
  DeviceDb phone;
  File(f, f.citizen, "p04", phone, 1);
  f.store.reset();
  {
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    REQUIRE(db->Exec("UPDATE scope_sums SET sum_lo = sum_lo + 1 WHERE audience = 'u:p04'").ok());
  }
  auto [kept, actual] = KeptAndActual(f.db_path);
  auto diffs = CompareScopeSums(kept, actual);
  REQUIRE(diffs.size() == 1);
  CHECK(diffs[0].audience == "u:p04");
  {
    auto db = OpenSqliteConn(f.db_path, false);
    REQUIRE(db.ok());
    auto shapes = TableShapes::Load(db->db());
    REQUIRE(shapes.ok());
    REQUIRE(db->BeginWrite().ok());
    REQUIRE(ComputeScopeSums(*db, *shapes, /*store=*/true).ok());
    REQUIRE(db->Commit().ok());
  }
  RequireKeptIsTruth(f.db_path);
}

TEST_CASE("Scope repair: one audience the account reads, never another, never with a push") {
  StoreFixture f;
  DeviceDb lan, minh;
  const std::string mine = File(f, f.citizen, "p04", lan, 1);
  File(f, f.other_citizen, "p05", minh, 1);
  wire::SyncRequest req;
  req.device_id = "phone-lan";
  req.full_pull = true;
  req.schema_version = schema::kSyncedSchemaVersion;

  SECTION("its own scope: every current row of it, and its checksum") {
    req.scope_only = "r:" + f.citizen.reporter_ref;
    auto r = RunSync(*f.store, f.citizen, req, kNowMs);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    CHECK(r->pull_rows == 1);
    REQUIRE(r->scope_sums.size() == 1);
    CHECK(r->scope_sums[0].audience == req.scope_only);
    CHECK(r->scope_sums[0].sum.rows == 1);
  }
  SECTION("the reference scope alone") {
    req.scope_only = "ref";
    auto r = RunSync(*f.store, f.citizen, req, kNowMs);
    REQUIRE(r.ok());
    REQUIRE(r->scope_sums.size() == 1);
    CHECK(r->scope_sums[0].audience == "ref");
    // The built-in rows a phone starts with, plus what the server logged since.
    DeviceDb phone;
    if (!r->pull_changeset.empty())
      REQUIRE(sql::ApplyChangeset(phone.db(), r->pull_changeset, [](int, sqlite3_changeset_iter*) {
                return sql::ConflictAction::kReplace;
              }).ok());
    CHECK(r->scope_sums[0].sum == DigestTables(phone.db(), RefTables()));
  }
  SECTION("a lying client asks for another citizen's or the district's scope: 403") {
    for (const std::string scope :
         {"r:" + f.other_citizen.reporter_ref, std::string("all"), std::string("u:p04")}) {
      req.scope_only = scope;
      auto r = RunSync(*f.store, f.citizen, req, kNowMs);
      REQUIRE(!r.ok());
      CHECK(r.status().code() == StatusCode::kPermissionDenied);
      CHECK_THAT(r.status().message(), Catch::Contains("does not read the scope"));
      CHECK_THAT(r.status().message(), Catch::Contains("không được đọc"));
    }
    // The store refuses it too, whoever calls it.
    CHECK(f.store->Pull(f.official_p04, 0, 0, {}, "u:p05").status().code() ==
          StatusCode::kPermissionDenied);
  }
  SECTION("with changes to push: 400, nothing applied") {
    req.scope_only = "ref";
    req.push.push_back(wire::PushEntry{2, lan.Capture(Update(mine, "title = 'Khác'"))});
    auto r = RunSync(*f.store, f.citizen, req, kNowMs);
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    CHECK(f.Query("SELECT title FROM reports WHERE id = '" + mine + "'") == "Rác tồn đọng");
  }
}

TEST_CASE("Scope sums: only complete pulls of the current data version carry them") {
  StoreFixture f;
  DeviceDb phone;
  for (int i = 1; i <= 3; ++i) File(f, f.citizen, "p04", phone, i);
  wire::SyncRequest req;
  req.device_id = "desk";
  req.schema_version = schema::kSyncedSchemaVersion;
  req.max_pull_rows = 2;
  auto first = RunSync(*f.store, f.official_p04, req, kNowMs);
  REQUIRE(first.ok());
  CHECK(first->has_more);
  CHECK(first->scope_sums.empty());
  req.max_pull_rows = 0;
  req.cursor = first->cursor;
  auto rest = RunSync(*f.store, f.official_p04, req, kNowMs);
  REQUIRE(rest.ok());
  CHECK(!rest->has_more);
  REQUIRE(rest->scope_sums.size() == 2);
  CHECK(rest->scope_sums[0].audience == "u:p04");
  CHECK(rest->scope_sums[0].sum.rows == 3);
  CHECK(rest->scope_sums[1].audience == "ref");
  if (schema::kOldestSyncedSchemaVersion < schema::kSyncedSchemaVersion) {
    req.schema_version = schema::kOldestSyncedSchemaVersion;
    auto old = RunSync(*f.store, f.official_p04, req, kNowMs);
    REQUIRE(old.ok());
    CHECK(old->scope_sums.empty());
  }
}
