// The server's SQLite store under power cuts and failing disks (fault_vfs.h), in process:
// a citizen's phone pushes reports and comments through Store::Push.
//
// Power cuts at a random xWrite/xSync/xTruncate (seeded) of the store's files (database,
// WAL) while pushes run; after each: integrity_check ok, every entry that was answered is
// there once, and the phone's retry (the unanswered entries, and some answered ones whose
// answer it "lost") is answered "applied" without anything stored twice. 50 cuts in
// ctest, Q11_SOAK=1 for 1,000; Q11_FAULT_SEED=N reseeds.
//
// Errors: SQLITE_IOERR_* (or SQLITE_FULL) at the nth VFS call of one push, for every n: an
// error Status with a message (nothing applied) or verdicts, integrity ok, and the retry
// applies it once.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>

#include "fault_vfs.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using q11::test::faults::Call;
using q11::test::faults::FaultVfs;

namespace {

uint32_t Seed(uint32_t fallback) {
  const char* s = std::getenv("Q11_FAULT_SEED");
  return s ? static_cast<uint32_t>(std::strtoul(s, nullptr, 10)) : fallback;
}

bool Soak() {
  const char* s = std::getenv("Q11_SOAK");
  return s != nullptr && std::string(s) == "1";
}

std::string IntegrityCheck(const std::string& path) {
  auto db = sql::Db::Open(path, false);
  if (!db.ok()) return db.status().ToString();
  auto v = db->QueryText("PRAGMA integrity_check");
  if (!v.ok()) return v.status().ToString();
  return v->value_or("(no answer)");
}

// "write 26, sync 1, shm lock 3": the calls counted since the last Reset, by kind.
std::string CallCounts(const FaultVfs& vfs) {
  std::string out;
  for (int c = 1; c < static_cast<int>(Call::kCount_); ++c) {
    const int64_t n = vfs.calls(static_cast<Call>(c));
    if (n > 0)
      out += (out.empty() ? "" : ", ") +
             std::string(q11::test::faults::CallName(static_cast<Call>(c))) + " " +
             std::to_string(n);
  }
  return out;
}

// One local write of the phone: its changeset and the row it inserts.
struct Entry {
  uint64_t seq = 0;
  std::string changeset, table, id;
  uint64_t server_seq = 0;  // from the verdict, once answered
  bool answered = false;
};

// The store's files live under /tmp/q11-server-test-*: the shim watches that, from before
// the store opens.
FaultVfs& WatchServerFiles() {
  FaultVfs& vfs = FaultVfs::Install();
  vfs.Watch("/tmp/q11-server-test-");
  return vfs;
}

struct Server {
  FaultVfs& vfs = WatchServerFiles();
  StoreFixture f;
  DeviceDb phone;
  const std::string device = "phone-lan-1";
  std::vector<Entry> entries;
  std::vector<std::string> reports;

  Server() { REQUIRE(f.store->BindDevice(device, f.citizen).ok()); }
  ~Server() {
    f.store.reset();
    vfs.Watch("");
  }

  Entry& NewEntry(std::mt19937& rng) {
    Entry e;
    e.seq = entries.size() + 1;
    e.id = NewId();
    if (reports.empty() || rng() % 3 == 0) {
      e.table = "reports";
      e.changeset = phone.Capture(
          InsertReportSql(e.id, "p04", "rac-thai", "Rác tồn đọng #" + std::to_string(e.seq)));
      reports.push_back(e.id);
    } else {
      e.table = "case_events";
      e.changeset = phone.Capture(
          "INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES ('" + e.id +
          "', '" + reports[rng() % reports.size()] + "', 'comment', 'Bổ sung lần " +
          std::to_string(e.seq) + "', '2026-11-27T08:30:00.000Z')");
    }
    entries.push_back(std::move(e));
    return entries.back();
  }

  // Pushes `which` (indexes into entries) as one request; records the verdicts.
  Status Push(const std::vector<size_t>& which) {
    std::vector<wire::PushEntry> batch;
    for (size_t i : which) batch.push_back(wire::PushEntry{entries[i].seq, entries[i].changeset});
    auto v = f.store->Push(f.citizen, device, batch);
    if (!v.ok()) return v.status();
    REQUIRE(v->size() == which.size());
    for (size_t k = 0; k < which.size(); ++k) {
      Entry& e = entries[which[k]];
      const wire::EntryVerdict& verdict = (*v)[k];
      INFO("entry " << e.seq << ": " << verdict.message);
      REQUIRE(verdict.local_seq == e.seq);
      REQUIRE(verdict.verdict == wire::Verdict::kApplied);
      // A retried entry gets the verdict it got the first time: applied once.
      if (e.answered) CHECK(verdict.server_seq == e.server_seq);
      e.answered = true;
      e.server_seq = verdict.server_seq;
    }
    return Status::Ok();
  }

  std::vector<size_t> Unanswered() const {
    std::vector<size_t> out;
    for (size_t i = 0; i < entries.size(); ++i)
      if (!entries[i].answered) out.push_back(i);
    return out;
  }

  Status TryReopen() {
    StoreOptions options;
    options.clock = [this] { return f.now_ms; };
    auto s = OpenSqliteStore(f.db_path, options);
    if (!s.ok()) return s.status();
    f.store = std::move(*s);
    return f.store->BindDevice(device, f.citizen);
  }
  void Reopen() {
    Status s = TryReopen();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // The ids stored in `table`, each with how many rows hold it.
  std::map<std::string, int> Ids(const std::string& table) {
    auto db = sql::Db::Open(f.db_path, false);
    REQUIRE(db.ok());
    auto st = db->Prepare("SELECT id FROM " + table);
    REQUIRE(st.ok());
    std::map<std::string, int> out;
    while (*st->Step()) ++out[st->Text(0)];
    return out;
  }

  // Every answered entry is stored once.
  void RequireAnsweredOnce() {
    const std::map<std::string, int> reports_there = Ids("reports");
    const std::map<std::string, int> events_there = Ids("case_events");
    for (const Entry& e : entries) {
      if (!e.answered) continue;
      INFO(e.table << " " << e.id << " (entry " << e.seq << ")");
      const auto& there = e.table == "reports" ? reports_there : events_there;
      auto it = there.find(e.id);
      REQUIRE(it != there.end());
      REQUIRE(it->second == 1);
    }
  }

  // After a retry of everything unanswered: each entry stored exactly once.
  void RequireAllOnce() {
    int64_t reports_n = 0, comments_n = 0;
    for (const Entry& e : entries) (e.table == "reports" ? reports_n : comments_n) += 1;
    CHECK(f.Query("SELECT count(*) FROM reports") == std::to_string(reports_n));
    CHECK(f.Query("SELECT count(*) FROM case_events WHERE kind = 'comment'") ==
          std::to_string(comments_n));
    CHECK(f.Query("SELECT count(*) FROM applied_batches WHERE device_id = '" + device + "'") ==
          std::to_string(entries.size()));
  }
};

}  // namespace

TEST_CASE("Power cuts under the server's store lose no answered push and double nothing",
          "[crash]") {
  Server s;
  const uint32_t seed = Seed(20261207);
  const int crashes = Soak() ? 1000 : 50;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  constexpr int kWindow = 60;
  int cut = 0, pushes = 0, lost_answers = 0, restarts = 0, torn = 0;
  std::map<std::string, int> sites;
  const auto start = std::chrono::steady_clock::now();
  while (cut < crashes) {
    s.vfs.Reset();
    // One cut in three at a commit's fsync (the moment a push is answered), the others at
    // any write, sync or truncate.
    if (rng() % 3 == 0)
      s.vfs.ArmCrash(1 + static_cast<int64_t>(rng() % 4), Call::kSync);
    else
      s.vfs.ArmCrash(1 + static_cast<int64_t>(rng() % kWindow));
    for (int i = 0; i < 400 && !s.vfs.crashed(); ++i) {
      if (rng() % 12 == 0) {  // the server is stopped (a checkpoint) and started again
        ++restarts;
        s.f.store.reset();
        Status st = s.TryReopen();
        INFO(st.ToString());
        if (!st.ok()) REQUIRE(s.vfs.crashed());
        continue;
      }
      std::vector<size_t> batch = s.Unanswered();  // the phone resends what has no answer
      const int fresh = 1 + static_cast<int>(rng() % 4);
      for (int k = 0; k < fresh; ++k) {
        s.NewEntry(rng);
        batch.push_back(s.entries.size() - 1);
      }
      ++pushes;
      Status st = s.Push(batch);
      if (!st.ok()) {
        INFO(st.ToString());
        REQUIRE(s.vfs.crashed());  // only the cut may fail a push
        CHECK(!st.message().empty());
      }
    }
    REQUIRE(s.vfs.crashed());
    ++cut;
    ++sites[s.vfs.crash_site()];
    INFO("cut " << cut << " at " << s.vfs.crash_site());
    s.f.store.reset();  // the process dies
    // Every other cut, the disk wrote half of its cache, in any order, before it died.
    const double keep = cut % 2 ? 0.0 : 0.5;
    torn += keep > 0;
    std::string error;
    REQUIRE(s.vfs.Recover(&error, keep, rng()));
    s.vfs.Reset();
    REQUIRE(IntegrityCheck(s.f.db_path) == "ok");
    s.Reopen();
    s.RequireAnsweredOnce();

    // The phone retries: what had no answer, plus the last answered entries as if their
    // answer had been lost on the way.
    std::vector<size_t> retry;
    const size_t n = s.entries.size();
    for (size_t i = n >= 3 ? n - 3 : 0; i < n; ++i)
      if (s.entries[i].answered) retry.push_back(i), ++lost_answers;
    for (size_t i : s.Unanswered()) retry.push_back(i);
    std::sort(retry.begin(), retry.end());
    if (!retry.empty()) REQUIRE(s.Push(retry).ok());
    s.RequireAllOnce();
  }
  REQUIRE(IntegrityCheck(s.f.db_path) == "ok");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string where;
  for (const auto& [site, n] : sites) where += " " + site + ": " + std::to_string(n) + ";";
  WARN("server power cuts: " << cut << " (" << torn << " with torn writes), seed " << seed
                             << ", pushes " << pushes << ", restarts " << restarts << ", entries "
                             << s.entries.size() << ", answered entries re-sent " << lost_answers
                             << "; cut at" << where << " " << seconds << " s");
}

namespace {

// `cold`: the store is opened (a server start) and the push made, all under the fault.
void SweepPush(Server& s, Call call, int rc, bool persistent, bool cold, int64_t* faults,
               int64_t* errors, std::string* coped) {
  std::mt19937 rng(Seed(20261207));
  int misses = 0;
  // Opening the store makes ~170 calls, each iteration ~0.1 s: ctest takes the odd ones
  // (its time budget), Q11_SOAK=1 every one.
  const int64_t stride = cold && !Soak() ? 2 : 1;
  for (int64_t n = 1;; n += stride) {
    INFO(q11::test::faults::CallName(call)
         << " #" << n << (persistent ? " and after" : "") << " → " << sqlite3_errstr(rc));
    s.vfs.Reset();
    std::vector<size_t> batch;
    for (int k = 0; k < 2; ++k) {
      s.NewEntry(rng);
      batch.push_back(s.entries.size() - 1);
    }
    if (cold) s.f.store.reset();
    s.vfs.ArmError(call, n, rc, persistent);
    Status st = cold ? s.TryReopen() : Status::Ok();
    if (st.ok()) st = s.Push(batch);
    const bool fired = s.vfs.errors_returned() > 0;
    const std::string what = s.vfs.first_error();
    s.vfs.Reset();
    INFO("injected: " << what << "; push: " << st.ToString());
    // n is past the last call of a push (pushes differ a little: stop after a few misses).
    if (!fired) {
      REQUIRE(st.ok());
      if (++misses == 5) break;
      continue;
    }
    misses = 0;
    ++*faults;
    if (!st.ok()) {
      ++*errors;
      CHECK(!st.message().empty());
      if (std::getenv("Q11_FAULT_VERBOSE")) WARN(what << " → " << st.ToString());
    } else {
      *coped += " " + what + ";";
    }
    if (s.f.store == nullptr) s.Reopen();  // started again
    REQUIRE(IntegrityCheck(s.f.db_path) == "ok");
    // The phone sends again what had no answer: applied once.
    std::vector<size_t> retry = s.Unanswered();
    if (!retry.empty()) {
      Status again = s.Push(retry);
      INFO("retry: " << again.ToString());
      REQUIRE(again.ok());
    }
    s.RequireAllOnce();
  }
}

}  // namespace

void PushSweep(int kind) {
  Server s;
  // What one push of two entries does to the disk, without faults.
  std::mt19937 rng(1);
  s.vfs.Reset();
  s.NewEntry(rng);
  s.NewEntry(rng);
  REQUIRE(s.Push({s.entries.size() - 2, s.entries.size() - 1}).ok());
  const std::string one_push = CallCounts(s.vfs);
  const auto start = std::chrono::steady_clock::now();
  int64_t faults = 0, errors = 0;
  std::string label, coped;
  if (kind == 1) {
    label = "SQLITE_IOERR at the nth call of any kind";
    SweepPush(s, Call::kAny, 0, false, false, &faults, &errors, &coped);
  }
  if (kind == 2) {
    label = "SQLITE_IOERR at the nth call of opening the store and pushing (a server start)";
    SweepPush(s, Call::kAny, 0, false, true, &faults, &errors, &coped);
  }
  if (kind == 3) {
    label = "SQLITE_FULL from the nth write on (the disk stays full for the push)";
    SweepPush(s, Call::kWrite, SQLITE_FULL, true, false, &faults, &errors, &coped);
  }
  if (kind == 4) {
    label = "SQLITE_IOERR_FSYNC at the nth sync";
    SweepPush(s, Call::kSync, 0, false, false, &faults, &errors, &coped);
  }
  CHECK(faults > 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("one push: " << one_push << "; server push sweep, " << label << ": " << faults
                    << " faults injected, " << errors
                    << " pushes answered an error, the rest coped (" << coped << " ); " << seconds
                    << " s");
}

TEST_CASE(
    "Disk errors in a push give a clear error, nothing corrupted: SQLITE_IOERR at the nth call of "
    "any kind",
    "[ioerr]") {
  PushSweep(1);
}

TEST_CASE(
    "Disk errors in a push give a clear error, nothing corrupted: SQLITE_IOERR at the nth call of "
    "opening the store and pushing (a server start)",
    "[ioerr]") {
  PushSweep(2);
}

TEST_CASE(
    "Disk errors in a push give a clear error, nothing corrupted: SQLITE_FULL from the nth write "
    "on (the disk stays full for the push)",
    "[ioerr]") {
  PushSweep(3);
}

TEST_CASE(
    "Disk errors in a push give a clear error, nothing corrupted: SQLITE_IOERR_FSYNC at the nth "
    "sync",
    "[ioerr]") {
  PushSweep(4);
}
