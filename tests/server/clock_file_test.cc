// The test-only clock of `syncserver serve --clock-file=PATH`: system time plus the offset
// in the file, seen as soon as a new file is renamed into place.
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>

#include "app/clock_file.h"
#include "server_test_support.h"

using namespace q11::server;
using namespace q11::server::test;

namespace {

int64_t RealMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// As tests write it: whole, then renamed over the old file.
void Put(const std::string& path, const std::string& text) {
  { std::ofstream(path + ".tmp", std::ios::trunc) << text; }
  REQUIRE(std::rename((path + ".tmp").c_str(), path.c_str()) == 0);
}

// True when the clock is `offset_ms` ahead of real time (give or take a slow call; the
// offsets below are seconds apart).
bool Ahead(ClockFile& clock, int64_t offset_ms) {
  const int64_t off = clock.NowMs() - RealMs();
  return off > offset_ms - 500 && off < offset_ms + 500;
}

}  // namespace

TEST_CASE("Clock file: missing is no offset, each rewrite is seen at once, junk keeps the last") {
  TempDir dir;
  const std::string path = dir.path() + "/clock";
  ClockFile clock(path);
  CHECK(Ahead(clock, 0));

  Put(path, "3600000\n");
  CHECK(Ahead(clock, 3600000));
  // Two rewrites within one timestamp tick: the new inode still tells them apart.
  Put(path, "7200000");
  CHECK(Ahead(clock, 7200000));
  Put(path, "-5000\n");
  CHECK(Ahead(clock, -5000));

  Put(path, "soon");
  CHECK(Ahead(clock, -5000));
  Put(path, "");
  CHECK(Ahead(clock, -5000));

  REQUIRE(std::remove(path.c_str()) == 0);
  CHECK(Ahead(clock, 0));
}
