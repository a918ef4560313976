// A device sync under allocation failures: the device library in this process, on a real
// database file, against the real server as a child process on 127.0.0.1. Each run fails
// SQLite's Nth allocation inside Sync (or the Nth and every later one), N swept over every
// allocation of a fault-free sync with local writes pending and a change to pull. Each N:
// Sync answers a Status with a message or succeeds (SQLite absorbed the failure), never
// crashes or hangs; the file passes integrity_check; the outbox is consistent; and the next
// sync on the same Database object, with failures off, completes and the device then holds
// exactly the server's rows of its scope.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <set>
#include <string>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "fault_malloc.h"
#include "q11sqlite/sqlite.h"
#include "sweep.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

// Rows of `table` as one canonical text (the form ServerDbDump uses).
std::string Dump(sql::Db& db, const std::string& table) {
  auto st = db.Prepare("SELECT * FROM " + table + " ORDER BY id");
  REQUIRE(st.ok());
  std::string out;
  int n = sqlite3_column_count(st->get());
  while (*st->Step()) {
    for (int c = 0; c < n; ++c) out += (st->IsNull(c) ? "∅" : st->Text(c)) + "|";
    out += "\n";
  }
  return out;
}

struct OutboxRow {
  int64_t seq;
  std::string state;
  bool has_server_seq;
  int64_t changeset_bytes;
};

std::vector<OutboxRow> ReadOutbox(sql::Db& db) {
  auto st = db.Prepare(
      "SELECT seq, state, server_seq IS NOT NULL, length(changeset) FROM outbox ORDER BY seq");
  REQUIRE(st.ok());
  std::vector<OutboxRow> rows;
  while (*st->Step())
    rows.push_back({sqlite3_column_int64(st->get(), 0), st->Text(1),
                    sqlite3_column_int(st->get(), 2) != 0, sqlite3_column_int64(st->get(), 3)});
  return rows;
}

int64_t QueryInt(sql::Db& db, const std::string& sql) {
  auto v = db.QueryText(sql);
  INFO(sql << ": " << v.status().ToString());
  REQUIRE(v.ok());
  return v->has_value() ? std::stoll(**v) : 0;
}

// The outbox after a failed (or absorbed) sync, against the one before it: no entry made
// or reused, every entry in a valid state (acked ones carry the server's sequence, pending
// ones do not), none emptied, and the AUTOINCREMENT high-water mark kept (seqs are the
// server's idempotency key and must never come back).
void CheckOutboxConsistent(sql::Db& db, const std::vector<OutboxRow>& before, int64_t seq_before) {
  std::set<int64_t> known;
  for (const OutboxRow& r : before) known.insert(r.seq);
  for (const OutboxRow& r : ReadOutbox(db)) {
    INFO("outbox entry " << r.seq << " state " << r.state);
    CHECK(known.count(r.seq) == 1);
    CHECK((r.state == "pending" || r.state == "acked"));
    CHECK(r.has_server_seq == (r.state == "acked"));
    CHECK(r.changeset_bytes > 0);
  }
  CHECK(QueryInt(db, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'") >= seq_before);
  // A settled entry left the outbox; it must not be there twice.
  CHECK(QueryInt(db,
                 "SELECT count(*) FROM settled_changes WHERE verdict <> 'merged' AND seq IN "
                 "(SELECT seq FROM outbox)") == 0);
}

NewReport Sample(int64_t n) {
  NewReport r;
  r.category_id = n % 2 ? "chieu-sang" : "rac-thai";
  r.ward_id = "p0" + std::to_string(n % 9 + 1);
  r.title = "Phản ánh " + std::to_string(n) + ": đèn đường hỏng";
  r.description = "Đèn đường trước nhà số " + std::to_string(n) + " đã tắt một tuần.";
  r.lat = 10.76 + static_cast<double>(n % 1000) * 1e-5;
  r.lon = 106.65;
  return r;
}

void Sweep(bool persistent, int64_t ci_stride) {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("hoa", "mat-khau-hoa", "citizen"));
  REQUIRE(server.AddUser("canbo.q11", "mat-khau-q11", "official", "q11"));
  REQUIRE(server.Start());
  const std::string url = server.url();
  auto http = Connect(url);

  const std::string path = tmp.File("hoa.db");
  std::string reporter_ref;
  {
    auto db = OpenDevice(path);
    REQUIRE(Login(*db, *http, url, "hoa", "mat-khau-hoa").ok());
    reporter_ref = db->GetAccount()->reporter_ref;
  }
  auto official = OpenDevice(tmp.File("canbo.db"));
  REQUIRE(Login(*official, *http, url, "canbo.q11", "mat-khau-q11").ok());
  // One attempt per round trip: an allocation failure is no network failure to back off
  // from, and the sweep must stay fast.
  SyncOptions once;
  once.max_attempts = 1;

  const int64_t stride = SweepStride(ci_stride);
  SweepTally tally;
  std::string last_id;
  const auto started = std::chrono::steady_clock::now();
  for (int64_t n = 1, i = 0;; n += stride, ++i) {
    INFO("allocation " << n << (persistent ? " and every later one" : "") << " fails");
    // The official acts on the citizen's previous report: the citizen's sync pulls it.
    if (!last_id.empty()) {
      REQUIRE(Sync(*official, *http).ok());
      REQUIRE(official->SetStatus(last_id, "accepted", "Đã tiếp nhận, chuyển phường.").ok());
      REQUIRE(Sync(*official, *http).ok());
    }
    // Opened afresh each time, so the armed sync also prepares every statement it uses.
    auto db = OpenDevice(path);
    NewReport report = Sample(i);
    auto filed = db->FileReport(report);
    REQUIRE(filed.ok());
    const std::string id = *filed;
    const std::string comment = "Bổ sung lần " + std::to_string(i) + ": vẫn chưa sửa.";
    const std::string title = report.title + " (đã sửa)";
    REQUIRE(db->AddComment(id, comment).ok());
    REQUIRE(db->EditReport(id, title, std::nullopt).ok());
    if (!last_id.empty()) REQUIRE(db->AddComment(last_id, "Cảm ơn cán bộ.").ok());

    auto check = std::move(sql::Db::Open(path, false)).value();
    const std::vector<OutboxRow> outbox_before = ReadOutbox(check);
    const int64_t seq_before =
        QueryInt(check, "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'");

    ArmedAllocations armed(n, persistent);
    auto r = Sync(*db, *http, once);
    const AllocationCount count = armed.Stop();
    if (count.failed == 0) {  // N is past the last allocation of the sync
      REQUIRE(r.ok());
      tally.fault_free = count.made;
      break;
    }
    ++tally.runs;
    if (r.ok() && !r->photos.messages.empty()) {
      // The rows went through; the photo step after them (uploads, thumbnails) failed and
      // says so in its own messages, as it does for a broken link.
      ++tally.errors;
    } else if (r.ok()) {
      tally.Absorbed(n);  // SQLite recovered by itself (e.g. a cache allocation it can skip)
    } else {
      ++tally.errors;
      INFO(r.status().ToString());
      CHECK(!r.status().message().empty());
    }
    CHECK(check.QueryText("PRAGMA integrity_check")->value_or("") == "ok");
    CheckOutboxConsistent(check, outbox_before, seq_before);

    // Failures off: the next sync, on the same object, completes and converges.
    auto again = Sync(*db, *http);
    INFO("the sync after the failure: " << again.status().ToString());
    REQUIRE(again.ok());
    CHECK(again->rejected == 0);
    CHECK(again->parked == 0);
    CHECK(*db->PendingCount() == 0);
    CHECK(check.QueryText("PRAGMA integrity_check")->value_or("") == "ok");
    CHECK(Dump(check, "reports") ==
          ServerDbDump(server.data_dir(), "reports", "reporter_ref = '" + reporter_ref + "'"));
    CHECK(Dump(check, "case_events") ==
          ServerDbDump(
              server.data_dir(), "case_events",
              "report_id IN (SELECT id FROM reports WHERE reporter_ref = '" + reporter_ref + "')"));
    // Nothing lost, nothing doubled: the edit and the one comment are on the server.
    CHECK(ServerDbValue(server.data_dir(), "SELECT title FROM reports WHERE id = '" + id + "'") ==
          title);
    CHECK(ServerDbValue(server.data_dir(), "SELECT count(*) FROM case_events WHERE report_id = '" +
                                               id + "' AND note = '" + comment + "'") == "1");
    last_id = id;
    REQUIRE(i < 100000);  // a sweep that never ends is a bug of its own
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  tally.Print("device sync", stride, persistent, seconds);
  CHECK(tally.fault_free > 100);  // the sweep really went through a sync
}

}  // namespace

TEST_CASE("A device sync survives SQLite failing any one of its allocations") {
  Sweep(/*persistent=*/false, /*ci_stride=*/37);
}

TEST_CASE("A device sync survives SQLite failing every allocation from the Nth on") {
  Sweep(/*persistent=*/true, /*ci_stride=*/53);
}
