// Group commit: concurrent writes share one transaction, and each keeps its own fate.
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "group_commit.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

struct Fixture {
  TempDir dir;
  std::string path = dir.path() + "/group.db";
  sql::Db db;
  std::mutex write_mu;
  std::unique_ptr<GroupCommit> group;

  Fixture() {
    auto d = sql::Db::Open(path, true);
    REQUIRE(d.ok());
    db = std::move(*d);
    REQUIRE(db.Exec("PRAGMA journal_mode=WAL; CREATE TABLE t (v TEXT PRIMARY KEY)").ok());
    auto g = GroupCommit::Create(db, write_mu);
    REQUIRE(g.ok());
    group = std::move(*g);
  }

  WriteJob Insert(const std::string& v) {
    return [this, v] { return db.Exec("INSERT INTO t VALUES ('" + v + "')"); };
  }
  // What another connection sees: only committed rows.
  std::string Committed() {
    auto reader = sql::Db::Open(path, false);
    REQUIRE(reader.ok());
    return reader->QueryText("SELECT group_concat(v, ',') FROM (SELECT v FROM t ORDER BY v)")
        ->value_or("");
  }
  // Waits (up to 5 s) until n writes queue behind the running group.
  void AwaitWaiting(size_t n) {
    for (int i = 0; i < 500 && group->waiting() < n; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(group->waiting() == n);
  }
};

}  // namespace

TEST_CASE("A lone write commits at once and is durable when Run returns") {
  Fixture f;
  REQUIRE(f.group->Run(f.Insert("a")).ok());
  CHECK(f.Committed() == "a");
  CHECK(f.group->counts().commits == 1);
  CHECK(f.group->counts().jobs == 1);
}

TEST_CASE("Writes that queue behind a running group commit together in the next one") {
  Fixture f;
  std::vector<std::thread> others;
  std::vector<Status> results(4);
  // The first write holds the write connection until four more have queued behind it.
  Status first = f.group->Run([&] {
    for (int i = 0; i < 4; ++i)
      others.emplace_back([&, i] { results[i] = f.group->Run(f.Insert("b" + std::to_string(i))); });
    f.AwaitWaiting(4);
    return f.db.Exec("INSERT INTO t VALUES ('a')");
  });
  for (auto& t : others) t.join();
  REQUIRE(first.ok());
  for (const Status& s : results) CHECK(s.ok());
  CHECK(f.Committed() == "a,b0,b1,b2,b3");
  CHECK(f.group->counts().commits == 2);  // one for the first, one for the four
  CHECK(f.group->counts().jobs == 5);
}

TEST_CASE("A failing write in a group rolls back only its own rows") {
  Fixture f;
  std::vector<std::thread> others;
  std::vector<Status> results(3);
  Status first = f.group->Run([&] {
    others.emplace_back([&] { results[0] = f.group->Run(f.Insert("b")); });
    f.AwaitWaiting(1);
    others.emplace_back([&] {
      // Jobs run on whichever thread leads their group: no Catch assertions inside.
      results[1] = f.group->Run([&]() -> Status {
        Status wrote = f.db.Exec("INSERT INTO t VALUES ('c')");
        return wrote.ok() ? InvalidArgument("refused after writing") : wrote;
      });
    });
    f.AwaitWaiting(2);
    others.emplace_back([&] { results[2] = f.group->Run(f.Insert("b")); });  // duplicate key
    f.AwaitWaiting(3);
    return Status::Ok();
  });
  for (auto& t : others) t.join();
  REQUIRE(first.ok());
  CHECK(results[0].ok());
  CHECK(results[1].code() == StatusCode::kInvalidArgument);
  CHECK(results[2].code() == StatusCode::kAlreadyExists);
  CHECK(f.Committed() == "b");
  CHECK(f.group->counts().commits == 2);
  CHECK(f.group->counts().jobs == 2);
}

TEST_CASE("When SQLite abandons the group's transaction, the group's other writes still land") {
  Fixture f;
  std::vector<std::thread> others;
  std::vector<Status> results(3);
  Status first = f.group->Run([&] {
    others.emplace_back([&] { results[0] = f.group->Run(f.Insert("b")); });
    f.AwaitWaiting(1);
    // As a full disk or an I/O error can: the whole transaction is rolled back.
    others.emplace_back([&] {
      results[1] = f.group->Run([&]() -> Status {
        Status rolled_back = f.db.Exec("ROLLBACK");
        return rolled_back.ok() ? Unavailable("disk I/O error") : rolled_back;
      });
    });
    f.AwaitWaiting(2);
    others.emplace_back([&] { results[2] = f.group->Run(f.Insert("d")); });
    f.AwaitWaiting(3);
    return Status::Ok();
  });
  for (auto& t : others) t.join();
  REQUIRE(first.ok());
  // The group runs again without the failed write: "b" (lost with the abandoned
  // transaction) and "d" are written, and each is durable when its Run returns.
  CHECK(results[0].ok());
  CHECK(results[1].code() == StatusCode::kUnavailable);
  CHECK(results[2].ok());
  CHECK(f.Committed() == "b,d");
  CHECK(f.group->counts().commits == 2);
  CHECK(f.group->counts().jobs == 3);
}
