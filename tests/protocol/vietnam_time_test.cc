// Times people type and read (protocol/vietnam_time.h): every offset spelling lands on the
// same instant, a plain date is 17:00 Vietnam time, a time without an offset is refused,
// and shown times carry their clock.
#include "protocol/vietnam_time.h"

#include <catch2/catch.hpp>

#include "protocol/ids.h"

using namespace q11;
using q11::vntime::FormatForPeople;
using q11::vntime::ParseTypedTime;
using q11::vntime::ShowStored;

TEST_CASE("Typed times: every offset spelling of one instant gives the same instant") {
  const std::optional<int64_t> at = ParseUtc("2026-12-10T10:00:00Z");
  REQUIRE(at);
  for (const char* typed :
       {"2026-12-10T17:00:00+07:00", "2026-12-10T17:00:00+0700", "2026-12-10T17:00:00+07",
        "2026-12-10T17:00+07:00", "2026-12-10 17:00:00+07:00", "2026-12-10T10:00:00Z",
        "2026-12-10T10:00:00z", "2026-12-10T10:00Z", "2026-12-10T10:00:00.000Z",
        "2026-12-10T10:00:00+00:00", "2026-12-10T05:00:00-05:00", "2026-12-10T15:30:00+05:30",
        " 2026-12-10T17:00:00+07:00 "}) {
    INFO(typed);
    CHECK(ParseTypedTime(typed) == at);
  }
  CHECK(ParseTypedTime("2026-12-10T10:00:00.5Z") == *at + 500);
  CHECK(ParseTypedTime("2026-12-10T10:00:00.123456Z") == *at + 123);
  // Crossing midnight both ways.
  CHECK(ParseTypedTime("2026-12-11T01:00:00+07:00") == ParseUtc("2026-12-10T18:00:00Z"));
  CHECK(ParseTypedTime("2026-12-31T23:30:00-01:00") == ParseUtc("2027-01-01T00:30:00Z"));
}

TEST_CASE("Typed times: a plain date is the end of that working day, 17:00 Vietnam time") {
  CHECK(ParseTypedTime("2026-12-10") == ParseUtc("2026-12-10T10:00:00Z"));
  CHECK(ParseTypedTime("2028-02-29") == ParseUtc("2028-02-29T10:00:00Z"));  // leap day
  // A Sunday stays a Sunday: the person chose the day.
  CHECK(ParseTypedTime("2026-12-13") == ParseUtc("2026-12-13T10:00:00Z"));
}

TEST_CASE("Typed times: malformed, out of range or without an offset is refused") {
  for (const char* bad : {"",
                          "mai",
                          "thứ hai tuần sau",
                          "2026-12-10T17:00:00",
                          "2026-12-10T17:00",
                          "2026-12-10 17:00",
                          "2026-13-01",
                          "2026-02-30",
                          "2027-02-29",
                          "2026-12-10T24:00:00Z",
                          "2026-12-10T17:60:00Z",
                          "2026-12-10T17:00:61Z",
                          "2026-12-10T17:00:00+15:00",
                          "2026-12-10T17:00:00+07:60",
                          "2026-12-10T17:00:00+7",
                          "2026-12-10T17:00:00+07:0",
                          "2026-12-10T17:00:00.Z",
                          "2026-12-10X17:00:00Z",
                          "2026/12/10",
                          "26-12-10",
                          "2026-12-1",
                          "2026-12-10Z",
                          "2026-12-10T17:00:00ZZ",
                          "1969-12-31"}) {
    INFO(bad);
    CHECK_FALSE(ParseTypedTime(bad).has_value());
  }
}

TEST_CASE("Shown times: Vietnam time to the minute with its offset, or UTC when asked") {
  const int64_t at = *ParseUtc("2026-12-10T10:00:59.999Z");
  CHECK(FormatForPeople(at) == "2026-12-10 17:00 (UTC+7)");
  CHECK(FormatForPeople(at, /*utc=*/true) == "2026-12-10 10:00 (UTC)");
  // The Vietnam day can be the next UTC day.
  CHECK(FormatForPeople(*ParseUtc("2026-12-31T20:15:00Z")) == "2027-01-01 03:15 (UTC+7)");
  CHECK(ShowStored("2026-12-10T10:00:00.000Z") == "2026-12-10 17:00 (UTC+7)");
  CHECK(ShowStored("2026-12-10T10:00:00.000Z", true) == "2026-12-10 10:00 (UTC)");
  CHECK(ShowStored("") == "-");
  CHECK(ShowStored("hôm qua") == "hôm qua");  // an odd stored value is shown, not hidden
  // What is shown reads back as the same minute.
  CHECK(ParseTypedTime("2026-12-10 17:00+07:00") == *ParseUtc("2026-12-10T10:00:00Z"));
}
