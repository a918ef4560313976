#include "protocol/ids.h"

#include <catch2/catch.hpp>

using namespace q11;

TEST_CASE("UUIDv7 carries the time, version and variant") {
  std::array<uint8_t, 10> r{0xff, 0xee, 0xdd, 0xcc, 0xbb, 0xaa, 0x99, 0x88, 0x77, 0x66};
  std::string id = MakeUuid7(0x0190a1b2c3d4, r);
  CHECK(id == "0190a1b2-c3d4-7fee-9dcc-bbaa99887766");
  CHECK(LooksLikeUuid(id));
  CHECK_FALSE(LooksLikeUuid("0190a1b2-c3d4-7fee-9dcc-bbaa9988776"));
  CHECK_FALSE(LooksLikeUuid("0190a1b2xc3d4-7fee-9dcc-bbaa99887766"));
  // Later times sort later as text.
  CHECK(MakeUuid7(0x0190a1b2c3d5, r) > id);
}

TEST_CASE("UTC timestamps format and parse") {
  CHECK(FormatUtc(0) == "1970-01-01T00:00:00.000Z");
  CHECK(FormatUtc(1795000000123) == "2026-11-18T11:06:40.123Z");
  CHECK(ParseUtc("2026-11-18T11:06:40.123Z") == 1795000000123);
  CHECK(ParseUtc("2026-11-18T11:06:40Z") == 1795000000000);
  CHECK(ParseUtc("2026-11-18T11:06:40+00:00") == 1795000000000);
  CHECK_FALSE(ParseUtc("2026-13-18T08:26:40Z").has_value());
  CHECK_FALSE(ParseUtc("yesterday").has_value());
  CHECK_FALSE(ParseUtc("2026-11-18T11:06:40+07:00").has_value());
}
