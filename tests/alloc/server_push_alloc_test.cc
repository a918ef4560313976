// The server's handling of one push under allocation failures: Store::Push on a real
// SQLite file in this process, SQLite's Nth allocation failing (or the Nth and every later
// one), N swept over every allocation of a fault-free push of four entries (a new report,
// a comment and an edit of it, a comment on an earlier report an official accepted, with a
// pull cursor for echo suppression). Each N: Push answers a Status with a message, or
// verdicts of which none is a refusal (an allocation failure is the server's trouble, never
// the device's: a refused entry would be dropped from the phone); the file passes
// integrity_check and the change log's sequence is intact; the same push again on the same
// store, failures off, applies everything exactly once.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "fault_malloc.h"
#include "fuzz_rows.h"
#include "server_test_support.h"
#include "sweep.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using q11::test::AllocationCount;
using q11::test::ArmedAllocations;
using q11::test::SweepStride;
using q11::test::SweepTally;

namespace {

int64_t Int(StoreFixture& f, const std::string& sql) {
  std::string v = f.Query(sql);
  return v == "NULL" ? 0 : std::stoll(v);
}

void Sweep(bool persistent, int64_t ci_stride) {
  StoreFixture f;
  DeviceDb phone, office;
  const std::string device = "0195f3a0-7c1e-7000-8000-0000000000aa";
  const std::string office_device = "0195f3a0-7c1e-7000-8000-0000000000bb";
  REQUIRE(f.store->BindDevice(device, f.citizen).ok());
  REQUIRE(f.store->BindDevice(office_device, f.official_p04).ok());
  uint64_t local_seq = 0, office_seq = 0;

  const int64_t stride = SweepStride(ci_stride);
  SweepTally tally;
  std::string last_id;
  const auto started = std::chrono::steady_clock::now();
  for (int64_t n = 1, i = 0;; n += stride, ++i) {
    INFO("allocation " << n << (persistent ? " and every later one" : "") << " fails");
    // The official accepts the citizen's previous report (unarmed).
    if (!last_id.empty()) {
      office.Exec(InsertReportSql(last_id));
      auto v = f.PushOne(
          f.official_p04, office_device, ++office_seq,
          office.Capture("UPDATE reports SET status = 'accepted' WHERE id = '" + last_id + "'"));
      REQUIRE(v.verdict == wire::Verdict::kApplied);
    }
    const std::string id = NewId();
    const std::string comment = "Bổ sung lần " + std::to_string(i);
    const std::string title = "Rác tồn đọng lần " + std::to_string(i);
    std::vector<wire::PushEntry> entries;
    entries.push_back({++local_seq, phone.Capture(InsertReportSql(id))});
    entries.push_back(
        {++local_seq, phone.Capture(fuzz::EventSql(NewId(), id, "comment", "", comment))});
    entries.push_back({++local_seq, phone.Capture("UPDATE reports SET title = '" + title +
                                                  "' WHERE id = '" + id + "'")});
    if (!last_id.empty())
      entries.push_back({++local_seq, phone.Capture(fuzz::EventSql(NewId(), last_id, "comment", "",
                                                                   "Cảm ơn cán bộ."))});
    const int64_t cursor = Int(f, "SELECT value FROM meta WHERE key = 'last_seq'");

    ArmedAllocations armed(n, persistent);
    auto v = f.store->Push(f.citizen, device, entries, static_cast<uint64_t>(cursor));
    const AllocationCount count = armed.Stop();
    if (count.failed == 0) {  // N is past the last allocation of the push
      REQUIRE(v.ok());
      for (const auto& e : *v) CHECK(e.verdict == wire::Verdict::kApplied);
      tally.fault_free = count.made;
      break;
    }
    ++tally.runs;
    if (!v.ok()) {
      ++tally.errors;
      INFO(v.status().ToString());
      CHECK(!v.status().message().empty());
    } else {
      REQUIRE(v->size() == entries.size());
      bool retry = false;
      for (const auto& e : *v) {
        INFO(wire::VerdictName(e.verdict) << ": " << e.message);
        CHECK((e.verdict == wire::Verdict::kApplied || e.verdict == wire::Verdict::kRetry));
        if (e.verdict == wire::Verdict::kRetry) {
          retry = true;
          CHECK(!e.message.empty());
        }
      }
      if (retry)
        ++tally.errors;
      else
        tally.Absorbed(n);
    }
    CHECK(f.Query("PRAGMA integrity_check") == "ok");
    const int64_t last_seq = Int(f, "SELECT value FROM meta WHERE key = 'last_seq'");
    CHECK(Int(f, "SELECT max(seq) FROM row_log") <= last_seq);
    CHECK(Int(f, "SELECT max(seq) FROM row_audience") <= last_seq);
    CHECK(Int(f, "SELECT count(*) FROM applied_batches WHERE device_id = '" + device +
                     "' AND verdict <> 1") == 0);

    // Failures off: the same push again applies everything, once.
    auto again = f.store->Push(f.citizen, device, entries, static_cast<uint64_t>(cursor));
    INFO("the push after the failure: " << again.status().ToString());
    REQUIRE(again.ok());
    for (const auto& e : *again) {
      INFO(wire::VerdictName(e.verdict) << ": " << e.message);
      CHECK(e.verdict == wire::Verdict::kApplied);
    }
    CHECK(f.Query("PRAGMA integrity_check") == "ok");
    CHECK(f.Query("SELECT title FROM reports WHERE id = '" + id + "'") == title);
    CHECK(f.Query("SELECT count(*) FROM case_events WHERE report_id = '" + id + "' AND note = '" +
                  comment + "'") == "1");
    CHECK(Int(f, "SELECT max(seq) FROM row_log") ==
          Int(f, "SELECT value FROM meta WHERE key = 'last_seq'"));
    CHECK(Int(f, "SELECT count(*) FROM entry_retries") == 0);
    last_id = id;
    REQUIRE(i < 100000);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  tally.Print("server push", stride, persistent, seconds);
  CHECK(tally.fault_free > 100);
}

}  // namespace

TEST_CASE("The server's handling of a push survives SQLite failing any one allocation") {
  Sweep(/*persistent=*/false, /*ci_stride=*/3);
}

TEST_CASE("The server's handling of a push survives SQLite failing every allocation from the Nth") {
  Sweep(/*persistent=*/true, /*ci_stride=*/5);
}
