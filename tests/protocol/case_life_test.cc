// The case life's pure pieces: the working-time deadline calculator (hand-checked cases
// across lunch breaks, weekends and holidays), receipt codes, and the workflow table.
#include <catch2/catch.hpp>

#include "protocol/deadline_calculator.h"
#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "protocol/workflow.h"

using namespace q11;
using deadline::Unit;

namespace {

int64_t Utc(const char* text) {
  std::optional<int64_t> ms = ParseUtc(text);
  REQUIRE(ms.has_value());
  return *ms;
}

deadline::HolidaySet Holidays(std::initializer_list<const char*> days) {
  deadline::HolidaySet out;
  for (const char* d : days) out.insert(*deadline::ParseDay(d));
  return out;
}

// Vietnam's 2026 holidays as in samples/q11-2018/holidays.sql.
const deadline::HolidaySet& Vn2026() {
  static const deadline::HolidaySet h =
      Holidays({"2026-01-01", "2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20",
                "2026-04-27", "2026-04-30", "2026-05-01", "2026-09-01", "2026-09-02"});
  return h;
}

// Local times in the comments are Asia/Ho_Chi_Minh (UTC+7).
std::string Due(const char* received_utc, int64_t amount, Unit unit,
                const deadline::HolidaySet& holidays = Vn2026()) {
  return FormatUtc(deadline::DeadlineFor(Utc(received_utc), amount, unit, holidays));
}

}  // namespace

TEST_CASE("Deadlines count office hours only - the lunch break and the evening do not run") {
  // Mon 08:00 + 4 h: 08:00-11:30 is 3.5 h, then 13:00-13:30.
  CHECK(Due("2026-11-30T01:00:00Z", 4, Unit::kWorkingHours) == "2026-11-30T06:30:00.000Z");
  // Mon 07:30 + 4 h ends exactly at the morning's close, 11:30 (not at 13:00).
  CHECK(Due("2026-11-30T00:30:00Z", 4, Unit::kWorkingHours) == "2026-11-30T04:30:00.000Z");
  // Received at lunch (12:00): the clock starts at 13:00; + 1 h = 14:00.
  CHECK(Due("2026-11-30T05:00:00Z", 1, Unit::kWorkingHours) == "2026-11-30T07:00:00.000Z");
  // Received Mon 20:00: starts Tue 07:30; + 1 h = Tue 08:30.
  CHECK(Due("2026-11-30T13:00:00Z", 1, Unit::kWorkingHours) == "2026-12-01T01:30:00.000Z");
  // Received before opening, Mon 06:00: + 30 min = 08:00.
  CHECK(deadline::AddWorkingMinutes(Utc("2026-11-29T23:00:00Z"), 30, Vn2026()) ==
        Utc("2026-11-30T01:00:00Z"));
}

TEST_CASE("Deadlines skip weekends") {
  // Fri 16:00 + 1 working day (8 h): Fri 1 h, Mon 07:30-11:30 4 h, 13:00-16:00 3 h.
  CHECK(Due("2026-11-27T09:00:00Z", 1, Unit::kWorkingDays) == "2026-11-30T09:00:00.000Z");
  // Received Saturday 10:00: + 2 h = Mon 09:30.
  CHECK(Due("2026-11-28T03:00:00Z", 2, Unit::kWorkingHours) == "2026-11-30T02:30:00.000Z");
  // Fri 16:00 + 2 working days (16 h): Fri 1, Mon 8, Tue 07:30-11:30 4, 13:00-16:00 3.
  CHECK(Due("2026-11-27T09:00:00Z", 2, Unit::kWorkingDays) == "2026-12-01T09:00:00.000Z");
}

TEST_CASE("Deadlines skip public holidays") {
  // Wed 2026-04-29 15:00 + 1 working day: Wed 2 h; Thu 30/4 and Fri 1/5 are holidays, then
  // the weekend; Mon 4/5 07:30-11:30 4 h, 13:00-15:00 2 h.
  CHECK(Due("2026-04-29T08:00:00Z", 1, Unit::kWorkingDays) == "2026-05-04T08:00:00.000Z");
  // Without the holidays the same case is due Thu 15:00.
  CHECK(Due("2026-04-29T08:00:00Z", 1, Unit::kWorkingDays, {}) == "2026-04-30T08:00:00.000Z");
  // Tết 2026: Fri 13/2 11:00 + 3 working days (24 h): Fri 4.5 h; 14/2-22/2 off (weekends and
  // 16/2-20/2); Mon 23/2 8 h, Tue 24/2 8 h (20.5 h), Wed 25/2 07:30 + 3.5 h = 11:00.
  CHECK(Due("2026-02-13T04:00:00Z", 3, Unit::kWorkingDays) == "2026-02-25T04:00:00.000Z");
  // Hùng Kings' day in lieu, Mon 27/4/2026: Fri 24/4 16:00 + 2 h → Tue 28/4 08:30.
  CHECK(Due("2026-04-24T09:00:00Z", 2, Unit::kWorkingHours) == "2026-04-28T01:30:00.000Z");
}

TEST_CASE("Holiday days parse strictly and working days follow the calendar") {
  CHECK(deadline::ParseDay("1970-01-01") == 0);
  CHECK(deadline::ParseDay("2028-02-29").has_value());
  CHECK_FALSE(deadline::ParseDay("2026-02-29").has_value());
  CHECK_FALSE(deadline::ParseDay("2026-13-01").has_value());
  CHECK_FALSE(deadline::ParseDay("2026-1-01").has_value());
  CHECK_FALSE(deadline::ParseDay("2026-01-0x").has_value());
  CHECK_FALSE(deadline::IsWorkingDay(*deadline::ParseDay("2026-11-28"), {}));  // Saturday
  CHECK_FALSE(deadline::IsWorkingDay(*deadline::ParseDay("2026-11-29"), {}));  // Sunday
  CHECK(deadline::IsWorkingDay(*deadline::ParseDay("2026-11-30"), {}));        // Monday
  CHECK_FALSE(deadline::IsWorkingDay(*deadline::ParseDay("2026-09-02"), Vn2026()));
  CHECK(deadline::ParseUnit("working_days") == Unit::kWorkingDays);
  CHECK_FALSE(deadline::ParseUnit("days").has_value());
  // Zero time is the receipt itself.
  CHECK(Due("2026-11-28T03:00:00Z", 0, Unit::kWorkingHours) == "2026-11-28T03:00:00.000Z");
}

TEST_CASE("Working time between two instants counts office hours only") {
  auto minutes = [](const char* from, const char* to) {
    return deadline::WorkingMsBetween(Utc(from), Utc(to), Vn2026()) / 60000;
  };
  // Mon 08:00 -> Mon 14:00: 08:00-11:30 (3.5 h) and 13:00-14:00 (1 h).
  CHECK(minutes("2026-11-30T01:00:00Z", "2026-11-30T07:00:00Z") == 270);
  // Fri 16:00 -> Mon 09:00: Friday's last hour and Monday 07:30-09:00.
  CHECK(minutes("2026-11-27T09:00:00Z", "2026-11-30T02:00:00Z") == 150);
  // Wed 29/4 16:00 -> Mon 4/5 08:30: 30/4 and 1/5 are holidays, then the weekend: 1 h + 1 h.
  CHECK(minutes("2026-04-29T09:00:00Z", "2026-05-04T01:30:00Z") == 120);
  // Saturday to Sunday, the lunch break, and an end before the start: nothing.
  CHECK(minutes("2026-11-28T02:00:00Z", "2026-11-29T09:00:00Z") == 0);
  CHECK(minutes("2026-11-30T04:45:00Z", "2026-11-30T05:45:00Z") == 0);
  CHECK(minutes("2026-11-30T07:00:00Z", "2026-11-30T01:00:00Z") == 0);
  // The inverse of AddWorkingMinutes, across nights and a weekend.
  for (int64_t m : {1, 59, 240, 481, 600, 4800}) {
    int64_t start = Utc("2026-11-26T03:10:00Z");  // Thu 10:10
    CHECK(deadline::WorkingMsBetween(start, deadline::AddWorkingMinutes(start, m, Vn2026()),
                                     Vn2026()) == m * 60000);
  }
}

TEST_CASE("Receipt codes are short, grouped and read aloud without ambiguity") {
  std::array<uint8_t, receipt::kRandomBytes> zeros{};
  CHECK(receipt::MakeCode(zeros) == "Q11-2222-2222");
  std::array<uint8_t, receipt::kRandomBytes> bytes{};
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(i * 37 + 11);
  std::optional<std::string> code = receipt::MakeCode(bytes);
  REQUIRE(code.has_value());
  CHECK(code->size() == 13);
  CHECK(receipt::IsCanonical(*code));
  // Bytes that would bias the alphabet are skipped; too few usable ones: draw again.
  std::array<uint8_t, receipt::kRandomBytes> high{};
  high.fill(255);
  CHECK_FALSE(receipt::MakeCode(high).has_value());
  for (char c : std::string("01ILOUV")) CHECK(receipt::kAlphabet.find(c) == std::string::npos);
}

TEST_CASE("Typed receipt codes are forgiven case, spaces, dashes and the prefix") {
  CHECK(receipt::Normalize("q11 7kxm 42pa") == "Q11-7KXM-42PA");
  CHECK(receipt::Normalize("7KXM42PA") == "Q11-7KXM-42PA");
  CHECK(receipt::Normalize("Q11-7KXM-42PA") == "Q11-7KXM-42PA");
  CHECK_FALSE(receipt::Normalize("Q11-7KXM-42P0").has_value());  // 0 is not in the alphabet
  CHECK_FALSE(receipt::Normalize("Q11-7KXM-42P").has_value());
  CHECK_FALSE(receipt::Normalize("Q11-7KXM-42PAA").has_value());
  CHECK_FALSE(receipt::Normalize("<script>").has_value());
  CHECK_FALSE(receipt::Normalize("").has_value());
  CHECK_FALSE(receipt::IsCanonical("q11-7kxm-42pa"));
}

TEST_CASE("The workflow table - each role's allowed and forbidden steps") {
  using workflow::TransitionAllowed;
  for (const char* role : {"official", "leader", "admin"}) {
    INFO(role);
    CHECK(TransitionAllowed(role, "new", "accepted"));
    CHECK(TransitionAllowed(role, "new", "rejected"));
    CHECK(TransitionAllowed(role, "new", "duplicate"));
    CHECK(TransitionAllowed(role, "new", "in_progress"));  // the benchmark's scenario C
    CHECK(TransitionAllowed(role, "accepted", "assigned"));
    CHECK(TransitionAllowed(role, "assigned", "in_progress"));
    CHECK(TransitionAllowed(role, "in_progress", "resolved"));
    CHECK(TransitionAllowed(role, "resolved", "closed"));
    CHECK(TransitionAllowed(role, "reopened", "in_progress"));
    CHECK_FALSE(TransitionAllowed(role, "new", "resolved"));
    CHECK_FALSE(TransitionAllowed(role, "new", "closed"));
    CHECK_FALSE(TransitionAllowed(role, "accepted", "closed"));
    CHECK_FALSE(TransitionAllowed(role, "in_progress", "new"));
    CHECK_FALSE(TransitionAllowed(role, "resolved", "new"));
  }
  CHECK_FALSE(TransitionAllowed("official", "resolved", "reopened"));
  CHECK_FALSE(TransitionAllowed("official", "closed", "in_progress"));
  CHECK_FALSE(TransitionAllowed("official", "rejected", "accepted"));
  CHECK_FALSE(TransitionAllowed("official", "duplicate", "accepted"));
  CHECK(TransitionAllowed("leader", "closed", "in_progress"));
  CHECK(TransitionAllowed("leader", "rejected", "accepted"));
  CHECK(TransitionAllowed("admin", "duplicate", "accepted"));
  // Citizens only reopen a result.
  CHECK(TransitionAllowed("citizen", "resolved", "reopened"));
  CHECK(TransitionAllowed("citizen", "closed", "reopened"));
  CHECK_FALSE(TransitionAllowed("citizen", "new", "accepted"));
  CHECK_FALSE(TransitionAllowed("citizen", "in_progress", "reopened"));
  CHECK_FALSE(TransitionAllowed("citizen", "resolved", "closed"));
  CHECK_FALSE(TransitionAllowed("nobody", "new", "accepted"));
  CHECK(TransitionAllowed("citizen", "new", "new"));  // no change
  CHECK_FALSE(TransitionAllowed("official", "done", "done"));
  CHECK(workflow::AllowedNext("citizen", "resolved") == "reopened");
  CHECK(workflow::AllowedNext("official", "closed") == "none");
  CHECK(workflow::IsOpen("reopened"));
  CHECK_FALSE(workflow::IsOpen("resolved"));
  CHECK(workflow::Finishes("duplicate"));
}
