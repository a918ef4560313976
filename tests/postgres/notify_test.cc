// LISTEN/NOTIFY across connections (what wakes the watchers of every server).
#include <chrono>
#include <future>

#include "pg_test.h"

using namespace q11;

TEST_CASE("NOTIFY at COMMIT wakes a listener on another connection", "[postgres]") {
  auto server = test::Server();
  auto listener = test::Connect(server->url());
  auto writer = test::Connect(server->url());
  REQUIRE_OK(listener.Listen("q11 changes"));  // any name: quoted as an identifier

  // Nothing arrives: the wait ends at its timeout, empty.
  auto quiet = listener.WaitForNotifications(std::chrono::milliseconds(50));
  REQUIRE_OK(quiet);
  CHECK(quiet->empty());

  // The listener waits on its own thread; the notification is held until COMMIT.
  auto txn = pg::Transaction::Begin(writer);
  REQUIRE_OK(txn);
  REQUIRE_OK(writer.Notify("q11 changes", "head=42"));
  auto woken = std::async(std::launch::async, [&] {
    auto r = listener.WaitForNotifications(std::chrono::seconds(10));
    return std::make_pair(std::move(r), std::chrono::steady_clock::now());
  });
  CHECK(woken.wait_for(std::chrono::milliseconds(200)) == std::future_status::timeout);
  const auto committed = std::chrono::steady_clock::now();
  REQUIRE_OK(txn->Commit());
  auto [got, woke_at] = woken.get();
  const auto wake = std::chrono::steady_clock::now() - committed;
  REQUIRE_OK(got);
  REQUIRE(got->size() == 1);
  CHECK(got->at(0).channel == "q11 changes");
  CHECK(got->at(0).payload == "head=42");
  CHECK(got->at(0).sender_pid == writer.backend_pid());
  CHECK(wake < std::chrono::seconds(1));
  CHECK(woke_at >= committed);  // not before the COMMIT (timing-free: no lower bound)

  // Outside a transaction it goes at once; after UNLISTEN nothing comes.
  REQUIRE_OK(writer.Notify("q11 changes", "again"));
  auto again = listener.WaitForNotifications(std::chrono::seconds(5));
  REQUIRE_OK(again);
  REQUIRE(again->size() == 1);
  CHECK(again->at(0).payload == "again");
  REQUIRE_OK(listener.Unlisten("q11 changes"));
  REQUIRE_OK(writer.Notify("q11 changes", "unheard"));
  CHECK(listener.WaitForNotifications(std::chrono::milliseconds(100))->empty());
}
