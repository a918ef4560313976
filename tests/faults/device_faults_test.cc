// The device library under power cuts and failing disks (fault_vfs.h), against the real
// server on a loopback port.
//
// Power cuts: a citizen's phone files reports, comments and photos and syncs; the power
// goes at a random xWrite/xSync/xTruncate (a seeded generator). After each cut: the
// database reopens, integrity_check says ok, every local write whose call returned OK is
// still there, every one the server lacks still waits in the outbox, and the next sync
// completes with no verdict but "applied" (nothing applied twice) and leaves the phone
// equal to the server. 50 cuts in ctest, Q11_SOAK=1 for 1,000; Q11_FAULT_SEED=N reseeds.
//
// Errors: SQLITE_IOERR_* (or SQLITE_FULL) at the nth VFS call of one sync, for every n: a
// Status with a message each time, integrity ok, the next sync converges.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "fault_vfs.h"
#include "noise_jpeg.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
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

std::string Dump(sql::Db& db, const std::string& table, const std::string& where) {
  auto st = db.Prepare("SELECT * FROM " + table + (where.empty() ? "" : " WHERE " + where) +
                       " ORDER BY id");
  REQUIRE(st.ok());
  std::string out;
  int n = sqlite3_column_count(st->get());
  while (*st->Step()) {
    for (int c = 0; c < n; ++c) out += (st->IsNull(c) ? "∅" : st->Text(c)) + "|";
    out += "\n";
  }
  return out;
}

std::string IntegrityCheck(const std::string& path) {
  auto db = sql::Db::Open(path, false);
  if (!db.ok()) return db.status().ToString();
  auto v = db->QueryText("PRAGMA integrity_check");
  if (!v.ok()) return v.status().ToString();
  return v->value_or("(no answer)");
}

// The phone of citizen "lan", its file in its own folder (the one the shim watches), and
// what its user was told was saved.
struct Phone {
  std::string dir, path, url, photo;
  std::unique_ptr<Database> db;
  std::vector<std::string> reports, comments, photos;  // acknowledged writes, by id

  void Open() {
    auto d = Database::Open(path);
    INFO(d.status().ToString());
    REQUIRE(d.ok());
    db = std::move(d).value();
  }

  // One random step; false when the call failed (the shim cut the power, or failed a call).
  bool Step(std::mt19937& rng) {
    int op = static_cast<int>(rng() % 20);
    if (op < 4 || reports.empty()) {
      NewReport r;
      r.category_id = rng() % 2 ? "chieu-sang" : "rac-thai";
      r.ward_id = "p0" + std::to_string(1 + rng() % 9);
      r.title = "Đèn đường hỏng #" + std::to_string(reports.size());
      r.description = "Mất điện chiếu sáng cả đoạn đường, ghi lúc " + std::to_string(rng());
      r.lat = 10.76;
      r.lon = 106.65;
      auto id = db->FileReport(r);
      if (id.ok()) reports.push_back(*id);
      return id.ok();
    }
    const std::string& on = reports[rng() % reports.size()];
    if (op < 9) {
      auto id = db->AddComment(on, "Bổ sung: vẫn chưa sửa, " + std::to_string(rng()));
      if (id.ok()) comments.push_back(*id);
      return id.ok();
    }
    if (op == 9) {  // the app is closed and started again
      db.reset();
      auto d = Database::Open(path);
      if (!d.ok()) return false;
      db = std::move(d).value();
      return true;
    }
    if (op < 11) {
      auto ids = AttachPhotos(*db, on, {photo});
      // A report holds a few photos only: a refusal for that is not a fault.
      if (!ids.ok() && ids.status().code() == StatusCode::kResourceExhausted) return true;
      if (ids.ok()) photos.insert(photos.end(), ids->begin(), ids->end());
      return ids.ok();
    }
    return SyncOnce().ok();
  }

  Result<SyncResult> SyncOnce() {
    auto http = MakeHttpTransport(url, 10000);
    REQUIRE(http.ok());
    SyncOptions once;
    once.max_attempts = 1;
    once.fetch_thumbnails = false;
    return Sync(*db, **http, once);
  }

  // Every acknowledged write is on the phone.
  void RequireAcknowledgedHere() {
    for (const std::string& id : reports) {
      INFO("report " << id);
      REQUIRE(db->GetReport(id).ok());
    }
    auto local = sql::Db::Open(path, false);
    REQUIRE(local.ok());
    for (const std::string& id : comments) {
      auto n = local->QueryText("SELECT count(*) FROM case_events WHERE id = '" + id + "'");
      INFO("comment " << id);
      REQUIRE(n.ok());
      REQUIRE(n->value_or("0") == "1");
    }
    for (const std::string& id : photos) {
      auto n = local->QueryText("SELECT count(*) FROM photos WHERE id = '" + id + "'");
      INFO("photo " << id);
      REQUIRE(n.ok());
      REQUIRE(n->value_or("0") == "1");
    }
  }

  // Acknowledged writes the server does not hold yet: each must still wait in the outbox.
  int64_t MissingOnServer(const std::string& data_dir) {
    std::set<std::string> have;
    std::string error;
    for (const char* table : {"reports", "case_events", "photos"}) {
      auto rows = ServerRows(data_dir, std::string("SELECT id FROM ") + table, &error);
      INFO(error);
      REQUIRE(rows.has_value());
      for (const auto& row : *rows) have.insert(row[0].value_or(""));
    }
    int64_t missing = 0;
    for (const auto* ids : {&reports, &comments, &photos})
      for (const std::string& id : *ids) missing += have.count(id) ? 0 : 1;
    return missing;
  }

  // The phone holds exactly the server's rows for its user.
  void RequireEqualsServer(const std::string& data_dir) {
    auto account = db->GetAccount();
    REQUIRE(account.ok());
    const std::string mine = "reporter_ref = '" + account->reporter_ref + "'";
    const std::string of_mine = "report_id IN (SELECT id FROM reports WHERE " + mine + ")";
    auto local = sql::Db::Open(path, false);
    REQUIRE(local.ok());
    CHECK(Dump(*local, "reports", "") == ServerDbDump(data_dir, "reports", mine));
    CHECK(Dump(*local, "case_events", "") == ServerDbDump(data_dir, "case_events", of_mine));
    auto ids = [](const std::string& dump) {
      std::string out;
      for (size_t at = 0; at < dump.size();) {
        size_t bar = dump.find('|', at), nl = dump.find('\n', at);
        out += dump.substr(at, bar - at) + "\n";
        at = nl + 1;
      }
      return out;
    };
    CHECK(ids(Dump(*local, "photos", "")) == ids(ServerDbDump(data_dir, "photos", of_mine)));
  }
};

// "write 8, sync 1, shm lock 20": the calls counted since the last Reset, by kind.
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

struct World {
  TempDir tmp;
  ServerProcess server{tmp.File("server")};
  Phone phone;
  FaultVfs& vfs = FaultVfs::Install();

  World() {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.Start());
    phone.dir = tmp.File("phone");
    std::filesystem::create_directories(phone.dir);
    phone.path = phone.dir + "/lan.db";
    phone.url = server.url();
    phone.photo = NoiseJpegFile(tmp.File("pho.jpg"), 24, 24, 80);
    vfs.Watch(phone.dir + "/");
    phone.Open();
    auto http = Connect(phone.url);
    REQUIRE(Login(*phone.db, *http, phone.url, "lan", "mat-khau-lan").ok());
  }
  ~World() { vfs.Watch(""); }

  // The next sync without faults: completes, every verdict "applied", nothing pending,
  // the phone equal to the server.
  void RequireConverges() {
    auto r = phone.SyncOnce();
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    INFO("messages: " << r->messages.size() << (r->messages.empty() ? "" : r->messages[0]));
    CHECK(r->rejected == 0);
    CHECK(r->parked == 0);
    CHECK(r->merged == 0);
    CHECK(*phone.db->PendingCount() == 0);
    auto settled = phone.db->SettledChanges();
    REQUIRE(settled.ok());
    CHECK(settled->empty());
    phone.RequireEqualsServer(server.data_dir());
    CHECK(phone.MissingOnServer(server.data_dir()) == 0);
  }
};

}  // namespace

TEST_CASE("Power cuts on a phone lose no acknowledged write and leave the outbox whole",
          "[crash]") {
  World w;
  const uint32_t seed = Seed(20261207);
  const int crashes = Soak() ? 1000 : 50;
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  // Durable calls per step vary from ~2 (a comment: WAL frames, one fsync) to dozens (a
  // sync's pull, a checkpoint): the window covers several steps.
  constexpr int kWindow = 120;
  int cut = 0, steps = 0, during_sync = 0, torn = 0;
  std::map<std::string, int> sites;
  const auto start = std::chrono::steady_clock::now();
  while (cut < crashes) {
    w.vfs.Reset();
    // One cut in three at a commit's fsync (the moment a write is acknowledged), the others
    // at any write, sync or truncate.
    if (rng() % 3 == 0)
      w.vfs.ArmCrash(1 + static_cast<int64_t>(rng() % 6), Call::kSync);
    else
      w.vfs.ArmCrash(1 + static_cast<int64_t>(rng() % kWindow));
    for (int i = 0; i < 400 && !w.vfs.crashed(); ++i) {
      ++steps;
      bool ok = w.phone.Step(rng);
      // Outside a crash every step works: a failure here is a bug, not the shim.
      if (!ok && !w.vfs.crashed()) FAIL("step failed without a fault");
    }
    REQUIRE(w.vfs.crashed());
    ++cut;
    ++sites[w.vfs.crash_site()];
    INFO("cut " << cut << " at " << w.vfs.crash_site());
    w.phone.db.reset();  // the process "dies": every handle closed
    // Every other cut, the disk wrote half of its cache, in any order, before it died.
    const double keep = cut % 2 ? 0.0 : 0.5;
    torn += keep > 0;
    std::string error;
    REQUIRE(w.vfs.Recover(&error, keep, rng()));
    w.vfs.Reset();

    REQUIRE(IntegrityCheck(w.phone.path) == "ok");
    w.phone.Open();
    w.phone.RequireAcknowledgedHere();
    const int64_t missing = w.phone.MissingOnServer(w.server.data_dir());
    const int64_t pending = *w.phone.db->PendingCount();
    CHECK(pending >= missing);
    if (pending > missing) ++during_sync;  // entries the server holds, their verdict lost
    w.RequireConverges();
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string where;
  for (const auto& [site, n] : sites) where += " " + site + ": " + std::to_string(n) + ";";
  WARN("power cuts: " << cut << " (" << torn << " with torn writes), seed " << seed << ", steps "
                      << steps << ", reports " << w.phone.reports.size() << ", comments "
                      << w.phone.comments.size() << ", photos " << w.phone.photos.size()
                      << ", cuts with an entry the server held but the phone had not heard of: "
                      << during_sync << "; cut at" << where << " " << seconds << " s");
}

namespace {

// Sweeps one kind of fault over every VFS call of one sync: each time a clear error (or a
// sync that coped), integrity ok, and the next sync converges.
// `cold`: the app starts (the database is opened) and syncs, all under the fault.
void SweepSync(World& w, Call call, int rc, bool persistent, bool cold, int64_t* faults,
               int64_t* errors, std::string* coped) {
  int misses = 0;
  for (int64_t n = 1;; ++n) {
    INFO(q11::test::faults::CallName(call)
         << " #" << n << (persistent ? " and after" : "") << " → " << sqlite3_errstr(rc));
    // Something to push: a report and a comment, written without faults.
    w.vfs.Reset();
    NewReport r;
    r.category_id = "chieu-sang";
    r.ward_id = "p03";
    r.title = "Đèn hỏng, lượt " + std::to_string(n);
    r.description = "Quét lỗi đĩa.";
    auto id = w.phone.db->FileReport(r);
    REQUIRE(id.ok());
    w.phone.reports.push_back(*id);
    auto c = w.phone.db->AddComment(*id, "Bổ sung lượt " + std::to_string(n));
    REQUIRE(c.ok());
    w.phone.comments.push_back(*c);

    w.vfs.Reset();
    if (cold) w.phone.db.reset();
    w.vfs.ArmError(call, n, rc, persistent);
    Status status;
    if (cold) {
      auto d = Database::Open(w.phone.path);
      status = d.status();
      if (d.ok()) w.phone.db = std::move(d).value();
    }
    std::string photo_messages;
    bool sync_failed = false;
    if (status.ok()) {
      auto r = w.phone.SyncOnce();
      status = r.status();
      sync_failed = !r.ok();
      if (r.ok())
        for (const std::string& m : r->photos.messages) photo_messages += m + "; ";
    }
    const bool fired = w.vfs.errors_returned() > 0;
    const std::string what = w.vfs.first_error();
    w.vfs.Reset();
    // n is past the last call of a sync (syncs differ a little: stop after a few misses).
    if (!fired) {
      if (++misses == 5) break;
      continue;
    }
    misses = 0;
    ++*faults;
    INFO("injected: " << what << "; open and sync: " << status.ToString());
    if (!status.ok()) {
      ++*errors;
      CHECK(!status.message().empty());
      if (std::getenv("Q11_FAULT_VERBOSE")) WARN(what << " → " << status.ToString());
      // The sync says whose storage failed (not the server's, not the network), and that
      // the changes still wait.
      if (sync_failed) {
        CHECK_THAT(status.message(),
                   Catch::Contains((rc & 0xff) == SQLITE_FULL ? "this device's storage is full"
                                                              : "this device's storage failed"));
        CHECK_THAT(status.message(), Catch::Contains("changes waiting"));
      }
    } else {
      // The sync went through: the failure hit the photos' step after it, which never fails
      // a sync but says what went wrong.
      CHECK(!photo_messages.empty());
      *coped += " " + what + " (photos: " + photo_messages + ")";
    }
    if (w.phone.db == nullptr) w.phone.Open();  // the app is started again
    REQUIRE(IntegrityCheck(w.phone.path) == "ok");
    w.RequireConverges();
  }
}

}  // namespace

void SyncSweep(int kind) {
  World w;
  // A first sync pulls the reference data: the sweep is over ordinary syncs.
  w.RequireConverges();
  // What one sync of a report and a comment does to the disk, without faults.
  NewReport r;
  r.category_id = "rac-thai";
  r.ward_id = "p02";
  r.title = "Rác ở hẻm";
  r.description = "Đếm lời gọi.";
  auto id = w.phone.db->FileReport(r);
  REQUIRE(id.ok());
  w.phone.reports.push_back(*id);
  auto c = w.phone.db->AddComment(*id, "Bổ sung");
  REQUIRE(c.ok());
  w.phone.comments.push_back(*c);
  w.vfs.Reset();
  REQUIRE(w.phone.SyncOnce().ok());
  const std::string one_sync = CallCounts(w.vfs);
  const auto start = std::chrono::steady_clock::now();
  int64_t faults = 0, errors = 0;
  std::string label, coped;
  if (kind == 1) {
    label = "SQLITE_IOERR at the nth call of any kind";
    SweepSync(w, Call::kAny, 0, false, false, &faults, &errors, &coped);
  }
  if (kind == 2) {
    label = "SQLITE_IOERR at the nth call of opening the database and syncing (a cold start)";
    SweepSync(w, Call::kAny, 0, false, true, &faults, &errors, &coped);
  }
  if (kind == 3) {
    label = "SQLITE_FULL from the nth write on (the disk stays full for the sync)";
    SweepSync(w, Call::kWrite, SQLITE_FULL, true, false, &faults, &errors, &coped);
  }
  if (kind == 4) {
    label = "SQLITE_IOERR_FSYNC at the nth sync";
    SweepSync(w, Call::kSync, 0, false, false, &faults, &errors, &coped);
  }
  CHECK(faults > 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("one sync: " << one_sync << "; device sync sweep, " << label << ": " << faults
                    << " faults injected, " << errors
                    << " syncs answered an error, the rest coped (" << coped << " ); " << seconds
                    << " s");
}

TEST_CASE(
    "Disk errors in a phone sync give a clear error, nothing corrupted: SQLITE_IOERR at the nth "
    "call of any kind",
    "[ioerr]") {
  SyncSweep(1);
}

TEST_CASE(
    "Disk errors in a phone sync give a clear error, nothing corrupted: SQLITE_IOERR at the nth "
    "call of opening the database and syncing (a cold start)",
    "[ioerr]") {
  SyncSweep(2);
}

TEST_CASE(
    "Disk errors in a phone sync give a clear error, nothing corrupted: SQLITE_FULL from the nth "
    "write on (the disk stays full for the sync)",
    "[ioerr]") {
  SyncSweep(3);
}

TEST_CASE(
    "Disk errors in a phone sync give a clear error, nothing corrupted: SQLITE_IOERR_FSYNC at the "
    "nth sync",
    "[ioerr]") {
  SyncSweep(4);
}

TEST_CASE(
    "I/O errors at every call of a local write: an error naming the phone's storage, "
    "and the write whole or not at all",
    "[ioerr]") {
  World w;
  w.RequireConverges();
  const auto start = std::chrono::steady_clock::now();
  int64_t faults = 0, errors = 0, misses = 0;
  std::string coped;
  for (int64_t n = 1; misses < 5; ++n) {
    INFO("any call #" << n);
    w.vfs.Reset();
    const int64_t pending = *w.phone.db->PendingCount();
    const size_t reports = w.phone.db->ListReports()->size();
    NewReport r;
    r.category_id = "chieu-sang";
    r.ward_id = "p05";
    r.title = "Đèn hỏng, lỗi đĩa lượt " + std::to_string(n);
    r.description = "Quét lỗi đĩa khi ghi.";
    w.vfs.ArmError(Call::kAny, n, 0);
    auto id = w.phone.db->FileReport(r);
    const bool fired = w.vfs.errors_returned() > 0;
    const std::string what = w.vfs.first_error();
    w.vfs.Reset();
    if (!fired) {
      ++misses;
      REQUIRE(id.ok());
      w.phone.reports.push_back(*id);
      continue;
    }
    misses = 0;
    ++faults;
    INFO("injected: " << what << "; write: " << id.status().ToString());
    REQUIRE(IntegrityCheck(w.phone.path) == "ok");
    if (id.ok()) {
      // Coped (SQLite retried, or the failing call came after the commit): the write is
      // whole.
      coped += " " + what + ";";
      w.phone.reports.push_back(*id);
      CHECK(*w.phone.db->PendingCount() == pending + 1);
    } else {
      ++errors;
      CHECK_THAT(id.status().message(), Catch::Contains("this device's storage failed"));
      CHECK_THAT(id.status().message(), Catch::Contains("Bộ nhớ máy báo lỗi đọc/ghi"));
      // Nothing of it: no row, no outbox entry.
      CHECK(*w.phone.db->PendingCount() == pending);
      CHECK(w.phone.db->ListReports()->size() == reports);
    }
  }
  w.RequireConverges();
  CHECK(faults > 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("local write sweep: " << faults << " faults injected, " << errors
                             << " writes answered an error, the rest coped (" << coped << " ); "
                             << seconds << " s");
}

TEST_CASE(
    "A disk error while reading who is logged in fails the write, never files it "
    "anonymously",
    "[ioerr]") {
  // Regression: the author of a local write was read with any error taken as "nobody
  // logged in", so a failing read filed a citizen's report without its reporter_ref, and
  // skipped the device's own checks of who may do what.
  World w;
  auto account = w.phone.db->GetAccount();
  REQUIRE(account.ok());
  REQUIRE(!account->reporter_ref.empty());
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = "p06";
  r.title = "Đèn hỏng trước chợ";
  r.description = "Lỗi đọc tài khoản.";
  int64_t faults = 0;
  for (int64_t n = 1; n <= 60; ++n) {
    INFO("call #" << n);
    const int64_t pending = *w.phone.db->PendingCount();
    w.vfs.Reset();
    w.vfs.ArmError(Call::kAny, n, 0);
    auto id = w.phone.db->FileReport(r);
    const std::string what = w.vfs.first_error();
    const bool fired = w.vfs.errors_returned() > 0;
    w.vfs.Reset();
    if (!fired) break;
    ++faults;
    INFO(what << " → " << id.status().ToString());
    if (!id.ok()) {
      CHECK_THAT(id.status().message(), Catch::Contains("this device's storage failed"));
      CHECK(*w.phone.db->PendingCount() == pending);
      continue;
    }
    w.phone.reports.push_back(*id);
    auto filed = w.phone.db->GetReport(*id);
    REQUIRE(filed.ok());
    CHECK(filed->reporter_ref == account->reporter_ref);
  }
  CHECK(faults > 0);
  w.RequireConverges();
}
