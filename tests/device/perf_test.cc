// Timing checks of the device side of the benchmark scenarios, without a server (hidden:
// run with `device_tests [.perf]`). The real end-to-end figures come from tests/bench.
#include <chrono>
#include <cstdio>

#include <catch2/catch.hpp>

#include "devicecore/sync.h"
#include "protocol/schema.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

std::string Id(int i) {
  char id[40];
  std::snprintf(id, sizeof id, "01890000-0000-7000-8000-%012d", i);
  return id;
}

}  // namespace

TEST_CASE("an official pulls 10,000 reports in one transaction", "[.perf]") {
  PullBuilder pull;
  std::string desc(510, 'x');
  pull.Change("BEGIN");
  for (int i = 0; i < 10000; ++i)
    pull.Change(
        "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
        "address, status, assigned_unit, due_at, reporter_ref, created_at, updated_at) VALUES ('" +
        Id(i) +
        "', 'phan_anh', 'rac-thai', 'p05', 'Tiêu đề khoảng bốn mươi ký tự cho phản ánh', '" + desc +
        "', 10.76, 106.65, NULL, 'new', 'phong-tnmt', '2027-01-17T00:00:00.000Z', " + "'r-" +
        std::to_string(i % 100) + "', '2027-01-15T00:00:00.000Z', '2027-01-15T00:00:00.000Z')");
  pull.Change("COMMIT");
  wire::SyncResponse resp;
  resp.cursor = 10000;
  resp.pull_rows = 10000;
  resp.pull_changeset = pull.Build();
  HttpReply reply = SyncReply(resp);

  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("official.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->SaveAccount(TestAccount()).ok());
  FakeTransport server;
  server.fallback = [&](const FakeTransport::Call&) { return reply; };
  auto start = std::chrono::steady_clock::now();
  auto r = Sync(**db, server);
  double s = Seconds(start);
  REQUIRE(r.ok());
  CHECK((*db)->ListReports()->size() == 10000);
  WARN("pull of 10,000 reports (" << reply.body.size() << " bytes on the wire): " << s << " s");
  CHECK(s < 0.6);
}

TEST_CASE("a device pushes 100 reports and pulls them back in one round trip", "[.perf]") {
  TempDir dir;
  FakeEnv env;
  auto db = Database::Open(dir.File("citizen.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->SaveAccount(TestAccount("citizen", "")).ok());
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) {
    NewReport r;
    r.category_id = "rac-thai";
    r.ward_id = "p05";
    r.title = "Báo cáo số " + std::to_string(i);
    r.description = std::string(500, 'y');
    REQUIRE((*db)->FileReport(r).ok());
  }
  WARN("filing 100 reports, one transaction each: " << Seconds(start) << " s");

  FakeTransport server;
  server.fallback = [&](const FakeTransport::Call& c) {
    auto req = wire::DecodeSyncRequest(c.body);
    // Echo every pushed row back as the server's pull (it applied them at seqs 1..100).
    auto scratch = sql::Db::Open(":memory:");
    (void)scratch->Exec(q11::schema::SyncedTablesSql());
    auto session =
        sql::Session::Create(*scratch, {"units", "categories", "reports", "case_events"});
    wire::SyncResponse resp;
    uint64_t seq = 0;
    for (const auto& e : req->push) {
      (void)sql::ApplyChangeset(*scratch, e.changeset, [](int, sqlite3_changeset_iter*) {
        return sql::ConflictAction::kOmit;
      });
      resp.verdicts.push_back({e.local_seq, wire::Verdict::kApplied, ++seq, ""});
    }
    resp.cursor = seq;
    resp.pull_rows = static_cast<uint32_t>(seq);
    resp.pull_changeset = *session->Changeset();
    return SyncReply(resp);
  };
  start = std::chrono::steady_clock::now();
  auto r = Sync(**db, server);
  double s = Seconds(start);
  REQUIRE(r.ok());
  CHECK(r->applied == 100);
  CHECK(r->round_trips == 1);
  CHECK(*(*db)->OutboxCount() == 0);
  CHECK((*db)->ListReports()->size() == 100);
  WARN("push 100 + pull 100 (device side incl. the fake server's work): " << s << " s");
}
