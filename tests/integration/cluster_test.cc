// Several syncservers on one PostgreSQL database (docs/postgres.md): what a city runs so
// that losing a machine or deploying loses nothing. Two real server processes share one
// data folder (keys, photos) and one database; real device databases sync through either.
// Built into cluster_tests, which ctest runs with Q11_TEST_BACKEND=postgres only.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <set>
#include <thread>

#include "device_helpers.h"
#include "devicecore/account.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using Clock = std::chrono::steady_clock;

namespace {

// Two servers, A and B, on one data folder and (test_backend.h) one database. Started one
// after the other: the first start makes the keys both then read.
struct Cluster {
  TempDir tmp;
  ServerProcess a{tmp.File("data")};
  ServerProcess b{tmp.File("data")};

  Cluster() {
    REQUIRE(PostgresBackend());
    REQUIRE(a.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(a.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(a.AddUser("canbo.q11", "mat-khau-q11", "official", "q11"));
    INFO(a.error());
    REQUIRE(a.Start());
    INFO(b.error());
    REQUIRE(b.Start());
    REQUIRE(a.port() != b.port());
  }

  std::unique_ptr<Database> Device(const std::string& file, ServerProcess& via,
                                   const std::string& user, const std::string& password) {
    auto db = OpenDevice(tmp.File(file));
    auto http = Connect(via.url());
    REQUIRE(Login(*db, *http, via.url(), user, password).ok());
    return db;
  }
};

NewReport Sample(int n) {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = "p04";
  r.title = "Đèn đường hỏng số " + std::to_string(n);
  r.description = "Đèn tắt cả tuần.";
  return r;
}

SyncResult SyncVia(Database& db, ServerProcess& via) {
  auto http = Connect(via.url());
  auto r = Sync(db, *http);
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

int64_t ServerCount(const std::string& data_dir, const std::string& sql) {
  return std::stoll(ServerDbValue(data_dir, sql, "0"));
}

}  // namespace

TEST_CASE("Cluster: a report pushed through one server is pulled through the other") {
  Cluster c;
  auto lan = c.Device("lan.db", c.a, "lan", "mat-khau-lan");
  auto official = c.Device("p04.db", c.b, "canbo.p04", "mat-khau-p04");
  auto id = lan->FileReport(Sample(1));
  REQUIRE(id.ok());
  CHECK(SyncVia(*lan, c.a).applied == 1);
  SyncResult pulled = SyncVia(*official, c.b);
  CHECK(pulled.pulled_rows >= 1);
  auto got = official->GetReport(*id);
  REQUIRE(got.ok());
  CHECK(got->receipt_code.has_value());
  // The official's answer through B reaches the citizen through A.
  REQUIRE(official->SetStatus(*id, "accepted", "Đã tiếp nhận").ok());
  CHECK(SyncVia(*official, c.b).applied == 1);
  SyncVia(*lan, c.a);
  auto seen = lan->GetReport(*id);
  REQUIRE(seen.ok());
  CHECK(seen->status == "accepted");
  // A token issued by one server is honoured by the other (one key, one account table).
  auto lan_via_b = SyncVia(*lan, c.b);
  CHECK(lan_via_b.pending_after == 0);
}

TEST_CASE("Cluster: a long poll on one server wakes when a device pushes through the other") {
  Cluster c;
  auto lan = c.Device("lan.db", c.a, "lan", "mat-khau-lan");
  auto official = c.Device("p04.db", c.b, "canbo.p04", "mat-khau-p04");
  SyncVia(*official, c.b);

  Result<bool> woke = false;
  Clock::time_point woke_at;
  std::thread waiter([&] {
    auto http = MakeHttpTransport(c.b.url(), 40000);
    REQUIRE(http.ok());
    woke = WaitForChanges(*official, **http, 20);
    woke_at = Clock::now();
  });
  CHECK(c.b.AwaitWaiting(1));  // asleep on B
  REQUIRE(lan->FileReport(Sample(2)).ok());
  SyncVia(*lan, c.a);  // committed through A: PostgreSQL's NOTIFY reaches B
  const auto synced_at = Clock::now();
  waiter.join();
  REQUIRE(woke.ok());
  CHECK(*woke);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(woke_at - synced_at);
  INFO("woken " << ms.count() << " ms after the push returned");
  CHECK(ms.count() < 2000);
  CHECK(SyncVia(*official, c.b).pulled_rows >= 1);
}

// Devices push through both servers at once while an official pulls through B all along;
// A is killed with SIGKILL part-way and its devices go on through B. Every report lands
// exactly once, and the official's cursor, moved by pulls that raced commits of both
// servers, skipped nothing (a skipped row would never come back).
TEST_CASE("Cluster: kill -9 of one server during pushes through both loses and doubles nothing") {
  Cluster c;
  constexpr int kDevices = 6, kReports = 20;
  std::vector<std::unique_ptr<Database>> devices;
  for (int d = 0; d < kDevices; ++d)
    devices.push_back(
        c.Device("dev" + std::to_string(d) + ".db", d % 2 ? c.b : c.a, "lan", "mat-khau-lan"));
  auto official = c.Device("p04.db", c.b, "canbo.p04", "mat-khau-p04");

  std::atomic<int> syncs_ok{0};
  std::atomic<bool> a_dead{false}, done{false};
  std::vector<std::thread> threads;
  for (int d = 0; d < kDevices; ++d) {
    threads.emplace_back([&, d] {
      SyncOptions once;
      once.max_attempts = 1;
      for (int i = 0; i < kReports; ++i) {
        (void)devices[d]->FileReport(Sample(d * 100 + i));
        // Even devices use A until it dies, then B (what nginx's failover does for them).
        ServerProcess& via = (d % 2 == 0 && !a_dead.load()) ? c.a : c.b;
        auto http = MakeHttpTransport(via.url(), 3000);
        if (http.ok() && Sync(*devices[d], **http, once).ok()) ++syncs_ok;
      }
    });
  }
  std::atomic<int> official_pulls{0};
  std::thread puller([&] {
    auto http = MakeHttpTransport(c.b.url(), 3000);
    while (!done.load()) {
      if (http.ok() && Sync(*official, **http).ok()) ++official_pulls;
    }
  });
  auto give_up = Clock::now() + std::chrono::seconds(60);
  while (syncs_ok.load() < kDevices * 4 && Clock::now() < give_up)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  const bool reached = syncs_ok.load() >= kDevices * 4;
  c.a.Kill();
  a_dead = true;
  for (auto& t : threads) t.join();
  done = true;
  puller.join();
  REQUIRE(reached);
  CHECK(official_pulls.load() > 3);

  for (auto& db : devices) {
    SyncResult r = SyncVia(*db, c.b);
    CHECK(r.rejected == 0);
    CHECK(*db->PendingCount() == 0);
  }
  const std::string dir = c.b.data_dir();
  CHECK(ServerCount(dir, "SELECT count(*) FROM reports") == kDevices * kReports);
  CHECK(ServerCount(dir, "SELECT count(DISTINCT title) FROM reports") == kDevices * kReports);
  // From its cursor, not from zero: what it missed while racing would stay missed.
  SyncVia(*official, c.b);
  auto all = official->ListReports();
  REQUIRE(all.ok());
  std::set<std::string> titles;
  for (const Report& r : *all) titles.insert(r.title);
  CHECK(all->size() == static_cast<size_t>(kDevices * kReports));
  CHECK(titles.size() == static_cast<size_t>(kDevices * kReports));
  // A restarted A serves the same data.
  REQUIRE(c.a.Start());
  auto again = c.Device("late.db", c.a, "canbo.p04", "mat-khau-p04");
  SyncVia(*again, c.a);
  auto late = again->ListReports();
  REQUIRE(late.ok());
  CHECK(late->size() == static_cast<size_t>(kDevices * kReports));
}

// Two officials change the status of the same reports at the same moment, each through
// its own server, both from "new". Whatever the timing, exactly one change per report is
// applied as sent; the other meets a row that moved and is merged by a rule or parked —
// never both applied (a lost update: two merges reading the same old row).
TEST_CASE("Cluster: two servers merging into the same rows at once lose no update") {
  Cluster c;
  constexpr int kReports = 25;
  auto lan = c.Device("lan.db", c.a, "lan", "mat-khau-lan");
  std::vector<std::string> ids;
  for (int i = 0; i < kReports; ++i) {
    auto id = lan->FileReport(Sample(i));
    REQUIRE(id.ok());
    ids.push_back(*id);
  }
  SyncVia(*lan, c.a);
  auto ward = c.Device("p04.db", c.a, "canbo.p04", "mat-khau-p04");
  auto district = c.Device("q11.db", c.b, "canbo.q11", "mat-khau-q11");
  SyncVia(*ward, c.a);
  SyncVia(*district, c.b);
  for (const std::string& id : ids) {
    REQUIRE(ward->SetStatus(id, "accepted", "Phường đã tiếp nhận").ok());
    REQUIRE(district->SetStatus(id, "rejected", "Không thuộc thẩm quyền").ok());
  }
  SyncResult by_ward, by_district;
  std::atomic<int> ready{0};
  auto push = [&](Database& db, ServerProcess& via, SyncResult* out) {
    auto http = Connect(via.url());
    ++ready;
    while (ready.load() < 2) std::this_thread::yield();
    auto r = Sync(db, *http);
    if (r.ok()) *out = *r;
  };
  std::thread t1(push, std::ref(*ward), std::ref(c.a), &by_ward);
  std::thread t2(push, std::ref(*district), std::ref(c.b), &by_district);
  t1.join();
  t2.join();
  INFO("ward: applied " << by_ward.applied << " merged " << by_ward.merged << " parked "
                        << by_ward.parked << " rejected " << by_ward.rejected);
  INFO("district: applied " << by_district.applied << " merged " << by_district.merged << " parked "
                            << by_district.parked << " rejected " << by_district.rejected);
  CHECK(by_ward.pushed == kReports);
  CHECK(by_district.pushed == kReports);
  CHECK(by_ward.applied + by_district.applied == kReports);
  CHECK(by_ward.merged + by_ward.parked + by_ward.rejected + by_district.merged +
            by_district.parked + by_district.rejected ==
        kReports);
  // Both devices and the server agree on every row afterwards.
  SyncVia(*ward, c.a);
  SyncVia(*district, c.b);
  const std::string dir = c.a.data_dir();
  for (const std::string& id : ids) {
    const std::string on_server =
        ServerDbValue(dir, "SELECT status FROM reports WHERE id = '" + id + "'");
    CHECK((on_server == "accepted" || on_server == "rejected"));
    CHECK(ward->GetReport(id)->status == on_server);
    CHECK(district->GetReport(id)->status == on_server);
  }
}

namespace {

// POST `body` as JSON to `path` on `via`; the reply's status and its "refresh_token".
std::pair<int, std::string> PostJson(ServerProcess& via, const std::string& path,
                                     const std::string& body) {
  auto http = Connect(via.url());
  auto reply = http->Post(path, "application/json", body, "");
  REQUIRE(reply.ok());
  const std::string key = "\"refresh_token\":\"";
  size_t at = reply->body.find(key);
  std::string token;
  if (at != std::string::npos) {
    at += key.size();
    token = reply->body.substr(at, reply->body.find('"', at) - at);
  }
  return {reply->status, token};
}

}  // namespace

// Refresh-token families live in the database, so their rules hold whichever server a
// phone reaches: a token spent on one server and replayed on the other revokes the family
// on both.
TEST_CASE("Cluster: a refresh token replayed on the other server revokes its family") {
  Cluster c;
  auto [login_status, first] =
      PostJson(c.a, "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})");
  REQUIRE(login_status == 200);
  REQUIRE(!first.empty());
  auto [s1, second] = PostJson(c.a, "/v1/refresh", R"({"refresh_token":")" + first + "\"}");
  REQUIRE(s1 == 200);
  auto [s2, third] = PostJson(c.b, "/v1/refresh", R"({"refresh_token":")" + second + "\"}");
  REQUIRE(s2 == 200);  // B honours what A issued
  // The first token again, on B: its child was used since, so this is a second holder.
  auto [s3, none] = PostJson(c.b, "/v1/refresh", R"({"refresh_token":")" + first + "\"}");
  CHECK(s3 == 401);
  CHECK(none.empty());
  // The whole family is gone, on A as well.
  auto [s4, none2] = PostJson(c.a, "/v1/refresh", R"({"refresh_token":")" + third + "\"}");
  CHECK(s4 == 401);
}

// A PostgreSQL restart (an operator's, or a failover) cuts every connection of both
// servers. They open them again at the next use — writer, readers and the LISTEN
// connection — and devices that met the cut retry; nothing is lost or doubled.
TEST_CASE("Cluster: PostgreSQL restarts under the servers: they reconnect, nothing is lost") {
  Cluster c;
  auto lan = c.Device("lan.db", c.a, "lan", "mat-khau-lan");
  auto official = c.Device("p04.db", c.b, "canbo.p04", "mat-khau-p04");
  REQUIRE(lan->FileReport(Sample(1)).ok());
  CHECK(SyncVia(*lan, c.a).applied == 1);
  SyncVia(*official, c.b);

  std::string error;
  INFO(error);
  REQUIRE(RestartDatabaseServer(&error));

  // Through A: the writer's connection is gone; the push is applied on a new one.
  REQUIRE(lan->FileReport(Sample(2)).ok());
  SyncResult after = SyncVia(*lan, c.a);
  CHECK(after.applied == 1);
  CHECK(*lan->PendingCount() == 0);
  // Through B: its readers reconnect too.
  SyncVia(*official, c.b);
  auto reports = official->ListReports();
  REQUIRE(reports.ok());
  CHECK(reports->size() == 2);

  // B's LISTEN connection came back as well: a push through A wakes a wait on B.
  Result<bool> woke = false;
  std::thread waiter([&] {
    auto http = MakeHttpTransport(c.b.url(), 40000);
    REQUIRE(http.ok());
    woke = WaitForChanges(*official, **http, 20);
  });
  CHECK(c.b.AwaitWaiting(1));
  REQUIRE(lan->FileReport(Sample(3)).ok());
  SyncVia(*lan, c.a);
  waiter.join();
  REQUIRE(woke.ok());
  CHECK(*woke);
  CHECK(ServerCount(c.a.data_dir(), "SELECT count(*) FROM reports") == 3);
}
