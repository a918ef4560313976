// Verified convergence on the device (docs/protocol.md, "Verified convergence"): after a
// complete pull the device adds up each scope and compares with the server's checksum; a
// scope that differs is repaired alone (scope-only pulls into a scratch copy, then one
// transaction: undo the outbox, make the rows equal, check, replay), the server hears of it,
// and a repair that does not converge backs off. Against a fake server that keeps its rows
// in a real SQLite file and computes its checksums with its own scan (the oracle here).
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "database_impl.h"
#include "devicecore/json.h"
#include "devicecore/sync.h"
#include "devicecore/verify.h"
#include "protocol/schema.h"
#include "q11sqlite/synced_schema.h"
#include "scope_repair.h"
#include "scope_rows.h"
#include "scripted_device.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

constexpr const char* kR1 = "01890000-0000-7000-8000-0000000000b1";
constexpr const char* kR2 = "01890000-0000-7000-8000-0000000000b2";
constexpr const char* kR3 = "01890000-0000-7000-8000-0000000000b3";
constexpr const char* kOwn = "all";  // the audience of TestAccount("official", "q11")

void Check(const Status& s) {
  INFO(s.ToString());
  REQUIRE(s.ok());
}

const std::vector<std::string> kRefTables(schema::kPublishedReferenceTables.begin(),
                                          schema::kPublishedReferenceTables.end());
// The primary key column (holidays are keyed by day).
std::string Pk(const std::string& table) { return table == "holidays" ? "day" : "id"; }
const std::vector<std::string> kOwnTables = {"reports", "case_events", "photos"};

// The oracle: a scope's sum by a scan written here, not the library's.
wire::ScopeSum OracleSum(sql::Db& db, const std::vector<std::string>& tables) {
  wire::ScopeSum sum;
  for (const std::string& t : tables) {
    auto st = db.Prepare("SELECT * FROM " + t);
    REQUIRE(st.ok());
    for (;;) {
      auto row = st->Step();
      REQUIRE(row.ok());
      if (!*row) break;
      wire::RowDigester d(t);
      for (int i = 0; i < sqlite3_column_count(st->get()); ++i) {
        switch (sqlite3_column_type(st->get(), i)) {
          case SQLITE_NULL:
            d.AddNull();
            break;
          case SQLITE_INTEGER:
            d.AddInteger(st->Int(i));
            break;
          case SQLITE_FLOAT:
            d.AddReal(st->Double(i));
            break;
          case SQLITE_TEXT:
            d.AddText(st->Text(i));
            break;
          default:
            d.AddBlob(st->Blob(i));
        }
      }
      sum.Add(d.Finish());
    }
  }
  return sum;
}

// A server in miniature: its rows in a SQLite file with the synced tables, pushes applied,
// a first pull sending every row, scope-only pulls paged by `scope_page_rows`, checksums
// of "ref" and "all" with every complete answer. Knobs inject its faults.
struct FakeScopeServer {
  std::string path;
  sql::Db db;
  uint64_t cursor = 10;
  int scope_page_rows = 2;
  // Faults: added to the own scope's checksum (its kept sum is wrong); SQL that runs on the
  // rows each normal pull (from a non-zero cursor) sends (a pull that garbles a row).
  uint64_t own_sum_offset = 0;
  std::string garble_pull_sql;
  // Verdict retry for pushed entries while > 0 (the entry stays pending on the device).
  int retries = 0;
  std::vector<wire::SyncRequest> requests;

  explicit FakeScopeServer(std::string file) : path(std::move(file)) {
    auto opened = sql::Db::Open(path);
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    auto tx = sql::Transaction::Begin(db);
    REQUIRE(tx.ok());
    Check(sql::PrepareSyncedTables(db));  // the same reference rows as a new device
    Check(tx->Commit());
  }

  void Exec(const std::string& sql) {
    Check(db.Exec(sql));
    ++cursor;
  }

  std::vector<wire::SyncResponse::ScopeCheck> Sums() {
    wire::ScopeSum own = OracleSum(db, kOwnTables);
    own.sum.hi += own_sum_offset;
    return {{"ref", OracleSum(db, kRefTables)}, {kOwn, own}};
  }

  // A changeset of the given rows (table, id) as INSERTs, built under a session.
  std::string RowsChangeset(const std::vector<std::pair<std::string, std::string>>& rows,
                            const std::string& then_sql = "") {
    auto scratch = sql::Db::Open(":memory:");
    REQUIRE(scratch.ok());
    Check(scratch->Exec(schema::SyncedTablesSql()));
    Check(scratch->Exec("ATTACH DATABASE '" + path + "' AS s"));
    std::vector<std::string> tables(schema::kSyncedTables.begin(), schema::kSyncedTables.end());
    auto session = sql::Session::Create(*scratch, tables);
    REQUIRE(session.ok());
    for (const auto& [t, id] : rows)
      Check(scratch->Exec("INSERT INTO main." + t + " SELECT * FROM s." + t + " WHERE " + Pk(t) +
                          " = '" + id + "'"));
    if (!then_sql.empty()) Check(scratch->Exec(then_sql));
    auto cs = session->Changeset();
    REQUIRE(cs.ok());
    return *cs;
  }

  std::vector<std::pair<std::string, std::string>> AllRows(const std::vector<std::string>& tables) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const std::string& t : tables) {
      auto st = db.Prepare("SELECT " + Pk(t) + " FROM " + t + " ORDER BY " + Pk(t));
      REQUIRE(st.ok());
      while (*st->Step()) out.emplace_back(t, st->Text(0));
    }
    return out;
  }

  Result<HttpReply> Answer(const FakeTransport::Call& call) {
    auto req = wire::DecodeSyncRequest(call.body);
    REQUIRE(req.ok());
    requests.push_back(*req);
    wire::SyncResponse resp;
    if (!req->scope_only.empty()) {
      // Every current row of the scope, a page at a time (the cursor is the offset here).
      auto rows = AllRows(req->scope_only == "ref" ? kRefTables : kOwnTables);
      size_t from = req->cursor >= 1'000'000 ? req->cursor - 1'000'000 : 0;
      size_t to = std::min(rows.size(), from + static_cast<size_t>(scope_page_rows));
      resp.pull_changeset = RowsChangeset({rows.begin() + from, rows.begin() + to});
      resp.pull_rows = static_cast<uint32_t>(to - from);
      resp.has_more = to < rows.size();
      resp.cursor = resp.has_more ? 1'000'000 + to : cursor;
      if (!resp.has_more)
        for (auto& sc : Sums())
          if (sc.audience == req->scope_only) resp.scope_sums.push_back(sc);
      return SyncReply(resp);
    }
    for (const wire::PushEntry& e : req->push) {
      if (retries > 0) {
        --retries;
        resp.verdicts.push_back({e.local_seq, wire::Verdict::kRetry, 0, "later"});
        continue;
      }
      sql::ConflictHandler replace = [](int, sqlite3_changeset_iter*) {
        return sql::ConflictAction::kReplace;
      };
      Check(sql::ApplyChangeset(db, e.changeset, replace));
      resp.verdicts.push_back({e.local_seq, wire::Verdict::kApplied, ++cursor, ""});
    }
    if (req->cursor == 0) {
      auto rows = AllRows(
          std::vector<std::string>(schema::kSyncedTables.begin(), schema::kSyncedTables.end()));
      resp.pull_changeset = RowsChangeset(rows);
      resp.pull_rows = static_cast<uint32_t>(rows.size());
    } else if (!garble_pull_sql.empty()) {
      resp.pull_changeset = RowsChangeset(AllRows(kOwnTables), garble_pull_sql);
    }
    resp.cursor = cursor;
    resp.scope_sums = Sums();
    return SyncReply(resp);
  }

  int ScopeRequests() const {
    return static_cast<int>(
        std::count_if(requests.begin(), requests.end(),
                      [](const wire::SyncRequest& r) { return !r.scope_only.empty(); }));
  }
};

// The "ref" scope is verified (scope_rows.h, VerifyReferenceScope), unless a test says
// otherwise.
struct Rig {
  ScriptedDevice d;
  FakeScopeServer server{d.dir.File("server.db")};
  explicit Rig(bool verify_reference = true) {
    VerifyReferenceScope() = verify_reference;
    d.server.fallback = [this](const FakeTransport::Call& c) { return server.Answer(c); };
    server.Exec(ReportRowSql(kR1, "new"));
    server.Exec(ReportRowSql(kR2, "accepted", "p05"));
    server.Exec(ReportRowSql(kR3, "new"));
  }
  ~Rig() { VerifyReferenceScope() = true; }
  SyncResult Sync() {
    auto r = device::Sync(*d.db, d.server);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  // Plain SQLite on the device's file, behind the library's back.
  void Tamper(const std::string& sql) {
    auto raw = sql::Db::Open(d.path(), false);
    REQUIRE(raw.ok());
    Check(raw->Exec(sql));
  }
  wire::ScopeSum DeviceSum(const std::vector<std::string>& tables) {
    auto raw = sql::Db::Open(d.path(), false);
    REQUIRE(raw.ok());
    return OracleSum(*raw, tables);
  }
};

}  // namespace

TEST_CASE("a complete pull that adds up: one round trip, no drift", "[verify]") {
  Rig rig;
  SyncResult r = rig.Sync();
  CHECK(r.round_trips == 1);
  CHECK(r.drift.empty());
  CHECK(rig.server.ScopeRequests() == 0);
  CHECK(rig.DeviceSum(kOwnTables) == rig.server.Sums()[1].sum);
  CHECK(rig.d.db->ListReports()->size() == 3);
}

TEST_CASE(
    "rows deleted, changed and added behind the library's back are found and repaired, and "
    "a pending local change survives and goes up later",
    "[verify]") {
  Rig rig;
  rig.Sync();
  rig.Tamper("DELETE FROM reports WHERE id = '" + std::string(kR1) +
             "'; UPDATE reports SET title = 'sửa lén' WHERE id = '" + kR2 + "'; " +
             ReportRowSql("01890000-0000-7000-8000-0000000000b9", "new") +
             "; UPDATE units SET name_en = 'tampered' WHERE id = 'p05'");
  // A local report that the server defers (verdict retry) twice: pending through the repair.
  NewReport mine;
  mine.category_id = "rac-thai";
  mine.ward_id = "p01";
  mine.title = "Của tôi";
  mine.description = "chưa gửi";
  auto filed = rig.d.db->FileReport(mine);
  REQUIRE(filed.ok());
  rig.server.retries = 2;

  SyncResult r = rig.Sync();
  REQUIRE(r.drift.size() == 2);
  std::map<std::string, ScopeDrift> by;
  for (const ScopeDrift& d : r.drift) by[d.audience] = d;
  CHECK(by[kOwn].repaired);
  CHECK(by[kOwn].rows_differing == 3);  // missing, changed, extra
  CHECK(by["ref"].repaired);
  CHECK(by["ref"].rows_differing == 1);
  // The repair pulled the scopes alone, in pages, from cursor 0, pushing nothing, the
  // device's cursor left where it was.
  CHECK(rig.server.ScopeRequests() >= 3);
  for (const wire::SyncRequest& q : rig.server.requests) {
    if (q.scope_only.empty()) continue;
    CHECK(q.push.empty());
    CHECK(q.full_pull);
  }
  // The device's rows are the server's again, and the local report is still there, pending.
  CHECK(rig.d.Get(kR1).title == "Rác");
  CHECK(rig.d.Get(kR2).title == "Rác");
  CHECK_FALSE(rig.d.db->GetReport("01890000-0000-7000-8000-0000000000b9").ok());
  CHECK(rig.d.Get(*filed).title == "Của tôi");
  // The next request told the server (one report per scope), and it was forgotten then.
  const wire::SyncRequest& told = rig.server.requests.back();
  REQUIRE(told.drift.size() == 2);
  for (const wire::DriftReport& dr : told.drift) CHECK(dr.repaired);
  CHECK(r.pending_after == 1);

  // The next sync pushes the local report; nothing differs any more.
  SyncResult next = rig.Sync();
  CHECK(next.applied == 1);
  CHECK(next.drift.empty());
  CHECK(rig.server.requests.back().drift.empty());
  CHECK(rig.DeviceSum(kOwnTables) == rig.server.Sums()[1].sum);
  CHECK(*rig.d.db->PendingCount() == 0);
}

TEST_CASE(
    "a scope whose server rows do not add up: nothing changed, repaired=false, backoff "
    "doubling from a minute",
    "[verify]") {
  Rig rig;
  rig.Sync();
  const std::string before = Dump(rig.d.path());
  rig.server.own_sum_offset = 1;  // the server's kept sum of "all" is wrong

  SyncResult r = rig.Sync();
  REQUIRE(r.drift.size() == 1);
  CHECK(r.drift[0].audience == kOwn);
  CHECK_FALSE(r.drift[0].repaired);
  CHECK(r.drift[0].message.find("do not add up to its own checksum") != std::string::npos);
  const int64_t first_try = r.drift[0].next_try_ms;
  CHECK(first_try > rig.d.env.now_ms);
  CHECK(first_try <= rig.d.env.now_ms + 60'000);
  CHECK(rig.d.db->ListReports()->size() == 3);  // not a row lost
  // Reported once, repaired=false.
  bool told = false;
  for (const wire::SyncRequest& q : rig.server.requests)
    for (const wire::DriftReport& dr : q.drift)
      told = told || (dr.audience == kOwn && !dr.repaired);
  CHECK(told);

  // Syncs within the minute: no scope pull, nothing reported again.
  const int scope_pulls = rig.server.ScopeRequests();
  SyncResult again = rig.Sync();
  REQUIRE(again.drift.size() == 1);
  CHECK(again.drift[0].backing_off);
  CHECK(again.round_trips == 1);
  CHECK(rig.server.ScopeRequests() == scope_pulls);
  CHECK(rig.server.requests.back().drift.empty());

  // After the minute: tried again, then two minutes.
  rig.d.env.now_ms += 61'000;
  SyncResult later = rig.Sync();
  CHECK(rig.server.ScopeRequests() > scope_pulls);
  REQUIRE_FALSE(later.drift.empty());
  CHECK_FALSE(later.drift[0].repaired);
  CHECK(later.drift[0].next_try_ms >= rig.d.env.now_ms + 110'000);

  // The server mends its sum: the next sync adds up and the backoff ends.
  rig.server.own_sum_offset = 0;
  SyncResult mended = rig.Sync();
  CHECK(mended.drift.empty());
  auto impl = DatabaseImpl::From(*rig.d.db);
  CHECK(LoadScopeBackoff(*impl, kOwn)->attempts == 0);
  (void)before;
}

TEST_CASE(
    "a drift that comes back after a repair converged is reported repaired=false and "
    "backs off",
    "[verify]") {
  Rig rig;
  rig.Sync();
  // Every later pull garbles a report (the scope pull does not): each repair converges, the
  // next pull breaks it again.
  rig.server.garble_pull_sql =
      "UPDATE reports SET title = 'hỏng' WHERE id = '" + std::string(kR3) + "'";
  SyncResult r = rig.Sync();
  REQUIRE(r.drift.size() == 1);
  CHECK_FALSE(r.drift[0].repaired);
  CHECK(r.drift[0].backing_off);
  // Reported twice: repaired, then (it came back) not.
  std::vector<bool> outcomes;
  for (const wire::SyncRequest& q : rig.server.requests)
    for (const wire::DriftReport& dr : q.drift) outcomes.push_back(dr.repaired);
  CHECK(outcomes == std::vector<bool>{true, false});
  const int scope_pulls = rig.server.ScopeRequests();
  rig.Sync();
  CHECK(rig.server.ScopeRequests() == scope_pulls);  // no loop
}

TEST_CASE("Verify lists what differs without touching it, and repairs on request", "[verify]") {
  Rig rig;
  rig.Sync();
  rig.Tamper("DELETE FROM reports WHERE id = '" + std::string(kR1) +
             "'; UPDATE reports SET status = 'closed' WHERE id = '" + kR2 + "'; " +
             ReportRowSql("01890000-0000-7000-8000-0000000000b9", "new"));
  const std::string tampered = Dump(rig.d.path());
  auto report = Verify(*rig.d.db, rig.d.server);
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK_FALSE(report->equal);
  REQUIRE(report->scopes.size() == 2);
  const ScopeVerdict& own = report->scopes[1];
  CHECK(own.audience == kOwn);
  CHECK_FALSE(own.equal);
  REQUIRE(own.differences.size() == 3);
  std::set<std::string> seen;
  for (const RowDifference& d : own.differences) seen.insert(d.kind + " " + d.table + " " + d.id);
  CHECK(seen == std::set<std::string>{"missing reports " + std::string(kR1),
                                      "changed reports " + std::string(kR2),
                                      "extra reports 01890000-0000-7000-8000-0000000000b9"});
  CHECK(report->scopes[0].equal);
  CHECK(Dump(rig.d.path()) == tampered);  // a look only (the catch-up pull brought nothing)
  // No request pushed anything; nothing reported without a repair.
  for (const wire::SyncRequest& q : rig.server.requests) {
    CHECK(q.push.empty());
    CHECK(q.drift.empty());
  }
  std::string json = VerifyReportToJson(*report);
  CHECK(json.find("\"kind\":\"missing\"") != std::string::npos);

  VerifyOptions repair;
  repair.repair = true;
  auto fixed = Verify(*rig.d.db, rig.d.server, repair);
  REQUIRE(fixed.ok());
  CHECK(fixed->equal);
  CHECK(fixed->scopes[1].repaired);
  CHECK(fixed->scopes[1].device_checksum == fixed->scopes[1].server_checksum);
  CHECK(fixed->scopes[1].differences.size() == 3);  // what it fixed
  auto clean = Verify(*rig.d.db, rig.d.server);
  REQUIRE(clean.ok());
  CHECK(clean->equal);
  // The repair's report went up with the next request (here the last Verify's catch-up).
  bool told = false;
  for (const wire::SyncRequest& q : rig.server.requests)
    for (const wire::DriftReport& dr : q.drift)
      told = told || (dr.audience == kOwn && dr.repaired && dr.rows_differing == 3);
  CHECK(told);
  rig.Sync();
  CHECK(rig.server.requests.back().drift.empty());
}

TEST_CASE("with the ref scope switched off, it is neither verified nor repaired", "[verify]") {
  Rig rig(/*verify_reference=*/false);
  rig.Sync();
  rig.Tamper("UPDATE units SET name_en = 'tampered' WHERE id = 'p05'");
  SyncResult r = rig.Sync();
  CHECK(r.drift.empty());
  CHECK(rig.server.ScopeRequests() == 0);
  auto report = Verify(*rig.d.db, rig.d.server);
  REQUIRE(report.ok());
  REQUIRE(report->scopes.size() == 1);
  CHECK(report->scopes[0].audience == kOwn);
  CHECK(report->equal);
}

TEST_CASE("scope rows: the diff names missing, extra and changed rows by table and id",
          "[verify]") {
  ScopeRows device, server;
  wire::Digest128 a{1, 2}, b{3, 4}, c{5, 6};
  device.tables["reports"] = {{"r1", a}, {"r2", b}, {"r4", c}};
  server.tables["reports"] = {{"r1", a}, {"r2", c}, {"r3", a}};
  server.tables["photos"] = {{"p1", b}};
  std::vector<RowDiff> diffs = DiffScopeRows(device, server);
  REQUIRE(diffs.size() == 4);
  CHECK((diffs[0].table == "photos" && diffs[0].id == "p1" && diffs[0].kind == RowDiff::kMissing));
  CHECK((diffs[1].id == "r2" && diffs[1].kind == RowDiff::kChanged));
  CHECK((diffs[2].id == "r3" && diffs[2].kind == RowDiff::kMissing));
  CHECK((diffs[3].id == "r4" && diffs[3].kind == RowDiff::kExtra));
  CHECK(DiffScopeRows(device, device).empty());
}

TEST_CASE("scope tables: ref is the reference tables, any other audience the rest", "[verify]") {
  CHECK(ScopeTables("ref") == kRefTables);
  CHECK(ScopeTables("u:p05") == kOwnTables);
  CHECK(ScopeTables("r:abc") == kOwnTables);
}

TEST_CASE("the repair backoff doubles from one minute to one day", "[verify]") {
  CHECK(ScopeBackoffMs(1) == 60'000);
  CHECK(ScopeBackoffMs(2) == 120'000);
  CHECK(ScopeBackoffMs(5) == 16 * 60'000);
  CHECK(ScopeBackoffMs(11) == 1024 * 60'000);
  CHECK(ScopeBackoffMs(12) == 24 * 3600'000);  // 2048 minutes would pass a day
  CHECK(ScopeBackoffMs(40) == 24 * 3600'000);
}

TEST_CASE("drift reports wait one per scope and leave once answered", "[verify]") {
  ScriptedDevice d;
  auto impl = DatabaseImpl::From(*d.db);
  Check(QueueDriftReport(*impl, {"all", 3, true}));
  Check(QueueDriftReport(*impl, {"ref", 1, true}));
  Check(QueueDriftReport(*impl, {"all", 2, false}));  // replaces the older one of "all"
  auto pending = PendingDriftReports(*impl);
  REQUIRE(pending.ok());
  REQUIRE(pending->size() == 2);
  CHECK((*pending)[0].audience == "ref");
  CHECK(((*pending)[1].audience == "all" && (*pending)[1].rows_differing == 2 &&
         !(*pending)[1].repaired));
  // An answer to a request that carried the older "all" report forgets only "ref".
  Check(ForgetSentDriftReports(*impl, {{"all", 3, true}, {"ref", 1, true}}));
  pending = PendingDriftReports(*impl);
  REQUIRE(pending->size() == 1);
  CHECK((*pending)[0].rows_differing == 2);
}

// The verify step's cost on a big replica (hidden: `device_tests "[.perf]"`): 10,000
// reports and 10,000 case events pulled in one answer with checksums, the scan timed alone
// and as part of the sync.
TEST_CASE("verify scans 20,000 rows after a pull", "[.perf]") {
  TempDir dir;
  FakeScopeServer server(dir.File("server.db"));
  std::string desc(510, 'x');
  Check(server.db.Exec("BEGIN"));
  for (int i = 0; i < 10000; ++i) {
    char id[40];
    std::snprintf(id, sizeof id, "01890000-0000-7000-8000-%012d", i);
    Check(server.db.Exec(
        "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
        "address, status, assigned_unit, due_at, reporter_ref, created_at, updated_at) VALUES ('" +
        std::string(id) + "', 'phan_anh', 'rac-thai', 'p05', 'Tiêu đề khoảng bốn mươi ký tự', '" +
        desc + "', 10.76, 106.65, NULL, 'new', 'phong-tnmt', '2027-01-17T00:00:00.000Z', 'r-" +
        std::to_string(i % 100) + "', '2027-01-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z')"));
    Check(
        server.db.Exec("INSERT INTO case_events (id, report_id, kind, status, note, unit_id, "
                       "author_ref, author_role, created_at) VALUES ('e" +
                       std::to_string(i) + "', '" + id +
                       "', 'status', 'accepted', 'Đã tiếp nhận, chuyển phòng xử lý', NULL, "
                       "'u-9', 'official', '2027-01-15T01:00:00.000Z')"));
  }
  Check(server.db.Exec("COMMIT"));
  FakeEnv env;
  auto db = Database::Open(dir.File("device.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->SaveAccount(TestAccount()).ok());
  FakeTransport transport;
  transport.fallback = [&](const FakeTransport::Call& c) { return server.Answer(c); };
  auto t0 = std::chrono::steady_clock::now();
  auto r = Sync(**db, transport);
  const double sync_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  REQUIRE(r.ok());
  CHECK(r->drift.empty());
  auto impl = DatabaseImpl::From(**db);
  // CPU time, best of 5: the machine may be shared, wall time says little then.
  double best = 1e9, plain = 1e9;
  for (int i = 0; i < 5; ++i) {
    std::clock_t c = std::clock();
    auto sum = ScopeSumOf(impl->db(), ScopeTables("all"));
    best = std::min(best, double(std::clock() - c) / CLOCKS_PER_SEC);
    REQUIRE(sum.ok());
    CHECK(sum->rows == 20000);
    // The same rows read without digesting them: what the hashing adds.
    c = std::clock();
    int64_t bytes = 0;
    for (const char* t : {"reports", "case_events", "photos"}) {
      auto st = impl->db().Prepare(std::string("SELECT * FROM ") + t);
      REQUIRE(st.ok());
      while (*st->Step())
        for (int k = 0; k < sqlite3_column_count(st->get()); ++k)
          bytes += sqlite3_column_bytes(st->get(), k);
    }
    plain = std::min(plain, double(std::clock() - c) / CLOCKS_PER_SEC);
    CHECK(bytes > 0);
  }
  std::clock_t c = std::clock();
  auto rows = ReadScopeRows(impl->db(), ScopeTables("all"));
  const double keyed = double(std::clock() - c) / CLOCKS_PER_SEC;
  REQUIRE(rows.ok());
  std::printf(
      "verify of 20,000 rows (CPU): scan with digests %.1f ms, the same rows read "
      "without digests %.1f ms (best of 5), keyed scan for a repair %.1f ms; whole "
      "first sync with verify %.0f ms wall\n",
      best * 1000, plain * 1000, keyed * 1000, sync_s * 1000);
}
