// Group commit: concurrent writes share one transaction, and each keeps its own fate.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "server_test_support.h"
#include "store/sql/group_commit.h"
#include "store/sqlite/sqlite_conn.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

struct Fixture {
  TempDir dir;
  std::string path = dir.path() + "/group.db";
  SqliteConn db;
  std::mutex write_mu;
  std::unique_ptr<GroupCommit> group;

  Fixture() {
    auto d = sql::Db::Open(path, true);
    REQUIRE(d.ok());
    db = SqliteConn(std::move(*d));
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
  // Runs `first` while `jobs` queue behind it, each from a thread of its own and in this
  // order, so that they make the next group; returns the jobs' results. Jobs run on the
  // writer thread: they must not use Catch assertions.
  std::vector<Status> QueueBehind(const WriteJob& first, const std::vector<WriteJob>& jobs) {
    std::atomic<bool> started{false}, gate{false};
    Status lead;
    std::thread leader([&] {
      lead = group->Run([&] {
        started = true;
        while (!gate) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        return first();
      });
    });
    while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::vector<std::thread> threads;
    std::vector<Status> results(jobs.size());
    for (size_t i = 0; i < jobs.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = group->Run(jobs[i]); });
      for (int wait = 0; wait < 500 && group->waiting() < i + 1; ++wait)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      REQUIRE(group->waiting() == i + 1);
    }
    gate = true;
    leader.join();
    for (auto& t : threads) t.join();
    REQUIRE(lead.ok());
    return results;
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
  std::vector<Status> results = f.QueueBehind(
      f.Insert("a"), {f.Insert("b0"), f.Insert("b1"), f.Insert("b2"), f.Insert("b3")});
  for (const Status& s : results) CHECK(s.ok());
  CHECK(f.Committed() == "a,b0,b1,b2,b3");
  CHECK(f.group->counts().commits == 2);  // one for the first, one for the four
  CHECK(f.group->counts().jobs == 5);
}

TEST_CASE("A failing write in a group rolls back only its own rows") {
  Fixture f;
  WriteJob refuse_after_writing = [&]() -> Status {
    Status wrote = f.db.Exec("INSERT INTO t VALUES ('c')");
    return wrote.ok() ? InvalidArgument("refused after writing") : wrote;
  };
  std::vector<Status> results =
      f.QueueBehind([] { return Status::Ok(); },
                    {f.Insert("b"), refuse_after_writing, f.Insert("b") /* duplicate key */});
  CHECK(results[0].ok());
  CHECK(results[1].code() == StatusCode::kInvalidArgument);
  CHECK(results[2].code() == StatusCode::kAlreadyExists);
  CHECK(f.Committed() == "b");
  CHECK(f.group->counts().commits == 2);
  CHECK(f.group->counts().jobs == 2);
}

TEST_CASE("When SQLite abandons the group's transaction, the group's other writes still land") {
  Fixture f;
  // As a full disk or an I/O error can: the whole transaction is rolled back.
  WriteJob abandon = [&]() -> Status {
    Status rolled_back = f.db.Exec("ROLLBACK");
    return rolled_back.ok() ? Unavailable("disk I/O error") : rolled_back;
  };
  std::vector<Status> results =
      f.QueueBehind([] { return Status::Ok(); }, {f.Insert("b"), abandon, f.Insert("d")});
  // The group runs again without the failed write: "b" (lost with the abandoned
  // transaction) and "d" are written, and each is durable when its Run returns.
  CHECK(results[0].ok());
  CHECK(results[1].code() == StatusCode::kUnavailable);
  CHECK(results[2].ok());
  CHECK(f.Committed() == "b,d");
  CHECK(f.group->counts().commits == 2);
  CHECK(f.group->counts().jobs == 3);
}
