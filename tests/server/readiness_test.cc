// The readiness decision (http/readiness.h) with a writer and a disk that fail on purpose.
#include <catch2/catch.hpp>

#include "http/readiness.h"

using namespace q11;
using namespace q11::server;

namespace {

// A writer whose every write fails as a lost database would.
class BrokenWriter final : public DbWriter {
 public:
  Status Write(const DbJob&) override {
    ++writes;
    return Unavailable("connection to the database lost");
  }
  int writes = 0;
};

}  // namespace

TEST_CASE("Readiness: a database that takes no write is not ready, saying so") {
  BrokenWriter writer;
  Readiness r(writer, "/nowhere", 1 << 20,
              [](const std::string&) -> Result<int64_t> { return int64_t{50} << 30; });
  ReadyReport report = r.Check();
  CHECK(writer.writes == 1);  // a real write is tried, not assumed
  CHECK_FALSE(report.ready);
  CHECK_FALSE(report.database_ok);
  REQUIRE(report.reasons.size() == 1);
  CHECK_THAT(report.reasons[0], Catch::Contains("connection to the database lost"));
  CHECK(report.free_bytes == int64_t{50} << 30);
}

TEST_CASE("Readiness: a disk below the floor, or one that cannot be read, is not ready") {
  BrokenWriter writer;
  Readiness low(writer, "/data", int64_t{100} << 20, [](const std::string& dir) -> Result<int64_t> {
    CHECK(dir == "/data");
    return int64_t{99} << 20;
  });
  ReadyReport a = low.Check();
  CHECK_FALSE(a.ready);
  REQUIRE(a.reasons.size() == 2);
  CHECK_THAT(a.reasons[1], Catch::Contains("99 MiB free, below the floor of 100 MiB"));
  Readiness unknown(writer, "/data", 0, [](const std::string&) -> Result<int64_t> {
    return Unavailable("statvfs failed");
  });
  ReadyReport b = unknown.Check();
  CHECK(b.free_bytes == -1);
  CHECK_THAT(b.reasons.back(), Catch::Contains("statvfs failed"));
}

TEST_CASE("Readiness: the real free space of a folder is read") {
  Result<int64_t> free = FreeBytesOn("/tmp");
  REQUIRE(free.ok());
  CHECK(*free > 0);
  CHECK_FALSE(FreeBytesOn("/no/such/folder").ok());
}
