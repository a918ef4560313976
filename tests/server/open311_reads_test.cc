// Open311's reads (store/open311_reads.h) through the SQLite store, on its pooled read
// connections rather than a connection opened by path: the reference data as services
// and wards, no requests in an empty database, unknown ids and receipt codes as nullopt,
// and many threads reading at once.
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "server_test_support.h"
#include "store/sqlite/sqlite_store.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

TEST_CASE("Open311 reads: services, wards and lookups come from the store's read pool") {
  TempDir dir;
  auto opened = OpenSqliteServerStore(dir.path() + "/syncserver.db");
  REQUIRE(opened.ok());
  Open311Reads& reads = **opened;

  Result<std::vector<Open311Service>> services = reads.Open311Services();
  REQUIRE(services.ok());
  CHECK_FALSE(services->empty());
  Result<std::vector<Open311Ward>> wards = reads.Open311Wards();
  REQUIRE(wards.ok());
  REQUIRE(wards->size() == 16);  // p01 ... p16
  CHECK(wards->front().id == "p01");

  Result<std::vector<Open311Request>> requests = reads.Open311Requests(Open311RequestFilter{});
  REQUIRE(requests.ok());
  CHECK(requests->empty());
  Result<std::vector<Open311Update>> updates = reads.Open311Updates(Open311UpdateFilter{});
  REQUIRE(updates.ok());
  CHECK(updates->empty());
  Result<std::optional<std::string>> id = reads.Open311ReportIdByReceipt("Q11-0000-0000");
  REQUIRE(id.ok());
  CHECK_FALSE(id->has_value());
  auto stamps = reads.Open311Stamps("no-such-report");
  REQUIRE(stamps.ok());
  CHECK_FALSE(stamps->has_value());

  // Each reader borrows its own pooled connection.
  std::vector<std::thread> threads;
  std::vector<int> counts(4, 0);
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      for (int n = 0; n < 25; ++n) {
        Result<std::vector<Open311Ward>> w = reads.Open311Wards();
        if (w.ok() && w->size() == 16) ++counts[i];
      }
    });
  for (std::thread& t : threads) t.join();
  for (int c : counts) CHECK(c == 25);
}
