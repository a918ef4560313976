// Many devices waiting for changes at once on the real server (watcher_reactor.h): more
// waiters than the server has threads are all held and all woken by a commit that
// concerns them; one it does not concern is not woken; a client that hangs up frees its
// place; one over --max-watchers is refused 503 with Retry-After; stopping the server
// answers every waiter. Correctness only: timings are the benchmark's (scripts/bench-watchers).
#include <signal.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "test_support.h"
#include "wait_crowd.h"

using namespace q11;
using namespace q11::device;
using q11::test::TempDir;
using q11::test::WaitCrowd;

namespace {

// What a crowd needs to wait as one account: its token and a cursor with nothing after it.
struct Waiter {
  std::string bearer;
  uint64_t cursor = 0;
};

Waiter Prepare(test::ServerProcess& server, const std::string& file, const std::string& user,
               const std::string& password, std::unique_ptr<Database>* keep = nullptr) {
  auto db = Database::Open(file);
  REQUIRE(db.ok());
  auto http = MakeHttpTransport(server.url(), 10000);
  REQUIRE(http.ok());
  REQUIRE(Login(**db, **http, server.url(), user, password).ok());
  REQUIRE(Sync(**db, **http).ok());
  auto request = MakeWaitRequest(**db, **http, 25);
  REQUIRE(request.ok());
  auto cursor = (*db)->Cursor();
  REQUIRE(cursor.ok());
  Waiter w{request->bearer, *cursor};
  if (keep != nullptr) *keep = std::move(db).value();
  return w;
}

std::string DeviceId(const std::string& prefix, int i) {
  char id[64];
  std::snprintf(id, sizeof id, "%s-%06d", prefix.c_str(), i);
  return id;
}

}  // namespace

TEST_CASE("Watchers: 300 waiting devices on 8 threads, woken only when concerned") {
  TempDir tmp;
  test::ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  // 8 threads: the threaded long poll held at most 4 waiters.
  REQUIRE(server.Start(
      {"--threads=8", "--max-connections-per-address=0", "--max-watchers=300", "--quiet"}));
  std::unique_ptr<Database> lan;
  Prepare(server, tmp.File("lan.db"), "lan", "mat-khau-lan", &lan);
  Waiter official = Prepare(server, tmp.File("p04.db"), "canbo.p04", "mat-khau-p04");
  Waiter minh = Prepare(server, tmp.File("minh.db"), "minh", "mat-khau-minh");

  WaitCrowd crowd(server.port());
  constexpr int kOfficials = 280, kCitizens = 20;
  // On a loaded machine (PostgreSQL, sanitizers, other tests) opening 300 waits takes
  // seconds. They arrive in groups of 40, as phones do over time: 280 connections at the
  // same instant would overflow the server's queue of accepted connections (256,
  // ServerOptions::max_queued) while its 8 threads are slow, and the overflow is answered
  // 503 by design. The officials' waits get the longest timeout there is, and the
  // citizens' (which must still wait when the report below is filed, and then end at
  // their timeout) start only once all officials' are held.
  for (int i = 0; i < kOfficials; ++i) {
    REQUIRE(crowd.Open(official.bearer, DeviceId("p04", i), official.cursor, 60) >= 0);
    if ((i + 1) % 40 == 0) REQUIRE(server.AwaitWaiting(i + 1, std::chrono::seconds(60)));
  }
  REQUIRE(server.AwaitWaiting(kOfficials, std::chrono::seconds(60)));
  for (int i = 0; i < kCitizens; ++i)
    REQUIRE(crowd.Open(minh.bearer, DeviceId("minh", i), minh.cursor, 15) >= 0);
  REQUIRE(server.AwaitWaiting(kOfficials + kCitizens, std::chrono::seconds(60)));
  crowd.Poll(std::chrono::milliseconds(200));
  CHECK(crowd.finished() == 0);  // nothing to pull yet: every one waits

  // The reactor is full: one more is refused with Retry-After, and answered at once.
  WaitCrowd extra(server.port());
  REQUIRE(extra.Open(official.bearer, "p04-extra", official.cursor, 60) >= 0);
  extra.Poll(std::chrono::seconds(10), 1);
  REQUIRE(extra.outcome(0).answered);
  CHECK(extra.outcome(0).status == 503);
  CHECK(extra.outcome(0).retry_after == "5");

  // Devices that hang up give their places back.
  for (int i = 0; i < 30; ++i) crowd.Close(static_cast<size_t>(i));
  REQUIRE(server.AwaitWaiting(kOfficials + kCitizens - 30, std::chrono::seconds(60)));
  for (int i = 0; server.Waiting() != kOfficials + kCitizens - 30 && i < 400; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(server.Waiting() == kOfficials + kCitizens - 30);
  REQUIRE(extra.Open(official.bearer, "p04-extra-2", official.cursor, 60) >= 0);
  REQUIRE(server.AwaitWaiting(kOfficials + kCitizens - 29, std::chrono::seconds(60)));

  // A citizen's report in ward p04 concerns the official's devices, not minh's.
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = "p04";
  r.title = "Đèn đường hỏng trước số 12";
  r.description = "Đèn đường tắt cả tuần.";
  REQUIRE(lan->FileReport(r).ok());
  auto http = MakeHttpTransport(server.url(), 10000);
  REQUIRE(http.ok());
  REQUIRE(Sync(*lan, **http).ok());

  const size_t officials_left = kOfficials - 30;
  crowd.Poll(std::chrono::seconds(20), 30 + officials_left);
  for (int i = 30; i < kOfficials; ++i) {
    INFO("official device " << i);
    REQUIRE(crowd.outcome(static_cast<size_t>(i)).answered);
    CHECK(crowd.outcome(static_cast<size_t>(i)).status == 200);
    CHECK(crowd.outcome(static_cast<size_t>(i)).body == R"({"changed":true})");
  }
  extra.Poll(std::chrono::seconds(20), 2);
  CHECK(extra.outcome(1).body == R"({"changed":true})");
  // minh's devices are still waiting, and end empty at their timeout.
  for (int i = kOfficials; i < kOfficials + kCitizens; ++i)
    CHECK_FALSE(crowd.outcome(static_cast<size_t>(i)).answered);
  crowd.Poll(std::chrono::seconds(40), kOfficials + kCitizens);
  for (int i = kOfficials; i < kOfficials + kCitizens; ++i) {
    INFO("citizen device " << i);
    REQUIRE(crowd.outcome(static_cast<size_t>(i)).answered);
    CHECK(crowd.outcome(static_cast<size_t>(i)).body == R"({"changed":false})");
  }
  CHECK(server.Waiting() == 0);
}

TEST_CASE("Watchers: stopping the server answers every waiting device at once") {
  TempDir tmp;
  test::ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
  REQUIRE(server.Start({"--threads=4", "--max-connections-per-address=0", "--quiet"}));
  Waiter minh = Prepare(server, tmp.File("minh.db"), "minh", "mat-khau-minh");
  WaitCrowd crowd(server.port());
  for (int i = 0; i < 50; ++i)
    REQUIRE(crowd.Open(minh.bearer, DeviceId("minh", i), minh.cursor, 60) >= 0);
  REQUIRE(server.AwaitWaiting(50));
  const auto t0 = std::chrono::steady_clock::now();
  ::kill(server.pid(), SIGTERM);
  crowd.Poll(std::chrono::seconds(10), 50);
  const auto answered = std::chrono::steady_clock::now() - t0;
  server.Stop();
  const auto stopped = std::chrono::steady_clock::now() - t0;
  WARN("answered after " << std::chrono::duration<double>(answered).count() << " s, stopped after "
                         << std::chrono::duration<double>(stopped).count() << " s");
  CHECK(answered < std::chrono::seconds(5));
  for (size_t i = 0; i < 50; ++i) {
    INFO("device " << i);
    REQUIRE(crowd.outcome(i).answered);
    CHECK(crowd.outcome(i).body == R"({"changed":false})");
  }
}
