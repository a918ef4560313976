// Live updates on the real server: a device waiting for changes (POST /v1/changes/wait)
// hears of a new report within a second or two of the citizen's sync, `q11 watch` prints
// it, and a device is not woken by its own changes.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using q11::test::TempDir;
using Clock = std::chrono::steady_clock;

namespace {

struct Field {
  Field() : server(tmp.File("server")) {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.Start());
  }
  std::unique_ptr<Database> Device(const std::string& file, const std::string& user,
                                   const std::string& password) {
    auto db = Database::Open(tmp.File(file));
    REQUIRE(db.ok());
    auto http = MakeHttpTransport(server.url(), 10000);
    REQUIRE(http.ok());
    REQUIRE(Login(**db, **http, server.url(), user, password).ok());
    return std::move(db).value();
  }
  void SyncOk(Database& db) {
    auto http = MakeHttpTransport(server.url(), 10000);
    REQUIRE(http.ok());
    auto r = Sync(db, **http);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
  }
  std::string File(Database& citizen, const std::string& title) {
    NewReport r;
    r.category_id = "chieu-sang";
    r.ward_id = "p04";
    r.title = title;
    r.description = "Đèn đường tắt cả tuần.";
    auto id = citizen.FileReport(r);
    REQUIRE(id.ok());
    return *id;
  }

  TempDir tmp;
  test::ServerProcess server;
};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

TEST_CASE("Live updates: a waiting official hears of a citizen's report within 2 seconds") {
  Field f;
  auto lan = f.Device("lan.db", "lan", "mat-khau-lan");
  auto official = f.Device("p04.db", "canbo.p04", "mat-khau-p04");
  f.SyncOk(*official);

  Result<bool> woke = false;
  Clock::time_point woke_at;
  std::thread waiter([&] {
    auto http = MakeHttpTransport(f.server.url(), 40000);
    REQUIRE(http.ok());
    woke = WaitForChanges(*official, **http, 20);
    woke_at = Clock::now();
  });
  // The official's wait has found nothing and sleeps on the server: the server says so.
  // (CHECK, not REQUIRE: the thread must still be joined.)
  CHECK(f.server.AwaitWaiting(1));
  std::string id = f.File(*lan, "Đèn đường hỏng trước số 12");
  f.SyncOk(*lan);
  const auto synced_at = Clock::now();
  waiter.join();
  INFO(woke.status().ToString());
  REQUIRE(woke.ok());
  CHECK(*woke);
  const double latency = Seconds(woke_at - synced_at);
  INFO("woke " << latency << " s after the citizen's sync");
  CHECK(latency < 2.0);
  // Negative: the official was woken before the citizen had even read its answer.
  WARN("live update latency: " << latency << " s after the end of the citizen's sync");
  f.SyncOk(*official);
  CHECK(official->GetReport(id).ok());

  SECTION("nothing new: the wait ends empty at its timeout") {
    auto http = MakeHttpTransport(f.server.url(), 40000);
    auto t0 = Clock::now();
    auto quiet = WaitForChanges(*official, **http, 1);
    REQUIRE(quiet.ok());
    CHECK_FALSE(*quiet);
    CHECK(Seconds(Clock::now() - t0) >= 0.9);
  }
  SECTION("changes already waiting: the answer is immediate") {
    f.File(*lan, "Cây đổ chắn lối đi");
    f.SyncOk(*lan);
    auto http = MakeHttpTransport(f.server.url(), 40000);
    auto t0 = Clock::now();
    auto ready = WaitForChanges(*official, **http, 20);
    REQUIRE(ready.ok());
    CHECK(*ready);
    CHECK(Seconds(Clock::now() - t0) < 1.0);
  }
  SECTION("a device is not woken by its own change, the citizen is") {
    f.SyncOk(*lan);
    REQUIRE(official->SetStatus(id, "accepted", "Đã tiếp nhận").ok());
    f.SyncOk(*official);
    // The status change is not sent back to the official's device (echo suppression), and
    // the event the server stamped came back in that same sync: nothing left to wake it.
    auto http = MakeHttpTransport(f.server.url(), 40000);
    auto own = WaitForChanges(*official, **http, 1);
    REQUIRE(own.ok());
    CHECK_FALSE(*own);
    auto http2 = MakeHttpTransport(f.server.url(), 40000);
    auto citizen = WaitForChanges(*lan, **http2, 5);
    REQUIRE(citizen.ok());
    CHECK(*citizen);
  }
}

TEST_CASE("Live updates: q11 watch prints a new report as it arrives") {
  Field f;
  auto lan = f.Device("lan.db", "lan", "mat-khau-lan");
  {
    auto official = f.Device("p04.db", "canbo.p04", "mat-khau-p04");
    f.SyncOk(*official);
  }  // closed: the q11 process opens the file itself
  test::CommandResult watch;
  std::thread cli([&] {
    watch = test::Run({test::Q11Bin(), "--db=" + f.tmp.File("p04.db"), "watch", "--once", "--json",
                       "--timeout=30"});
  });
  // It has caught up and its wait sleeps on the server (CHECK: the thread must be joined).
  CHECK(f.server.AwaitWaiting(1));
  std::string id = f.File(*lan, "Ngập nước hẻm 281");
  f.SyncOk(*lan);
  cli.join();
  INFO(watch.err);
  CHECK(watch.exit_code == 0);
  CHECK_THAT(watch.out, Catch::Contains(R"({"event":"new","report":{"id":")" + id));
  CHECK_THAT(watch.out, Catch::Contains("Ngập nước hẻm 281"));
}
