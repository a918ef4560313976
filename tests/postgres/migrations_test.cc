// Schema migrations under an advisory lock (store/postgres/migrations.h).
#include <atomic>
#include <thread>
#include <vector>

#include "pg_test.h"
#include "store/postgres/migrations.h"
#include "store/postgres/schema.h"

using namespace q11;

namespace {

// Each migration fails if it runs twice (CREATE TABLE without IF NOT EXISTS) and leaves a
// trace of every run it got (the applied table). The sleep widens the race.
const std::vector<pg::Migration> kList = {
    {1, "first",
     "CREATE TABLE one (x int); CREATE TABLE applied (version int);"
     "INSERT INTO applied VALUES (1); SELECT pg_sleep(0.2);"},
    {2, "second", "CREATE TABLE two (x int); INSERT INTO applied VALUES (2);"},
    {5, "fifth", "ALTER TABLE two ADD COLUMN y text; INSERT INTO applied VALUES (5);"},
};

}  // namespace

TEST_CASE("four migrators at once: each migration is applied exactly once", "[postgres]") {
  auto server = test::Server();
  constexpr int kMigrators = 4;
  std::vector<pg::Connection> conns;
  for (int i = 0; i < kMigrators; ++i) conns.push_back(test::Connect(server->url()));
  std::atomic<int> ready{0};
  std::vector<Result<pg::MigrateOutcome>> outcomes(kMigrators, Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kMigrators; ++i) {
    threads.emplace_back([&, i] {
      ++ready;
      while (ready < kMigrators) std::this_thread::yield();  // start together
      outcomes[i] = pg::Migrate(conns[i], kList);
    });
  }
  for (auto& t : threads) t.join();
  int applied = 0;
  for (const auto& o : outcomes) {
    REQUIRE_OK(o);
    CHECK(o->version == 5);
    applied += o->applied;
  }
  CHECK(applied == 3);
  auto db = test::Connect(server->url());
  auto runs = db.Query("SELECT version FROM applied ORDER BY version");
  REQUIRE_OK(runs);
  REQUIRE(runs->size() == 3);
  CHECK(runs->Text(0, 0) == "1");
  CHECK(runs->Text(2, 0) == "5");
  auto recorded = db.Query("SELECT version, name FROM schema_migrations ORDER BY version");
  REQUIRE(recorded->size() == 3);
  CHECK(recorded->Text(1, 1) == "second");

  // Again: nothing to do. A longer list applies only its new tail.
  auto again = pg::Migrate(db, kList);
  REQUIRE_OK(again);
  CHECK(again->applied == 0);
  auto longer = kList;
  longer.push_back({6, "sixth", "INSERT INTO applied VALUES (6)"});
  auto more = pg::Migrate(db, longer);
  REQUIRE_OK(more);
  CHECK(more->applied == 1);
  CHECK(more->version == 6);
  // An older server (shorter list) leaves the newer schema alone.
  auto older = pg::Migrate(db, {kList[0]});
  REQUIRE_OK(older);
  CHECK(older->applied == 0);
  CHECK(older->version == 6);
}

TEST_CASE("a failing migration leaves nothing of that run applied", "[postgres]") {
  auto server = test::Server();
  auto db = test::Connect(server->url());
  const std::vector<pg::Migration> broken = {
      {1, "fine", "CREATE TABLE fine (x int)"},
      {2, "broken", "CREATE TABLE broken (x no_such_type)"},
  };
  auto r = pg::Migrate(db, broken);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("migration 2 (broken)") != std::string::npos);
  CHECK(r.status().message().find("no_such_type") != std::string::npos);
  CHECK_FALSE(db.InTransaction());
  CHECK_FALSE(db.Query("SELECT * FROM fine").ok());  // rolled back with the rest

  CHECK(pg::Migrate(db, {{2, "b", "SELECT 1"}, {1, "a", "SELECT 1"}}).status().code() ==
        StatusCode::kInvalidArgument);

  // The server's own schema applies on a fresh database and is then up to date.
  auto schema = pg::Migrate(db, pg::ServerSchema());
  REQUIRE_OK(schema);
  CHECK(schema->applied == static_cast<int>(pg::ServerSchema().size()));
  CHECK(pg::Migrate(db, pg::ServerSchema())->applied == 0);
}
