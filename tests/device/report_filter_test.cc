// An official's list (report_filter.h): which reports a filter keeps and the order by
// current deadline. Pure: Report values, no database.
#include "report_filter.h"

#include <catch2/catch.hpp>

using namespace q11::device;

namespace {

Report Make(const std::string& id, const std::string& created_at,
            std::optional<std::string> due_at = std::nullopt,
            std::optional<std::string> expected_at = std::nullopt) {
  Report r;
  r.id = id;
  r.created_at = created_at;
  r.status = "new";
  r.ward_id = "p04";
  r.due_at = std::move(due_at);
  r.expected_at = std::move(expected_at);
  return r;
}

std::vector<std::string> Ids(const std::vector<Report>& reports) {
  std::vector<std::string> ids;
  for (const Report& r : reports) ids.push_back(r.id);
  return ids;
}

}  // namespace

TEST_CASE("Report list order: soonest current deadline first, none last and newest first") {
  std::vector<Report> reports = {
      Make("none-old", "2026-11-01T00:00:00.000Z"),
      Make("due-late", "2026-11-02T00:00:00.000Z", "2026-12-20T10:00:00.000Z"),
      Make("none-new", "2026-11-05T00:00:00.000Z"),
      // An announced expected date replaces the deadline, later or earlier.
      Make("expected-early", "2026-11-03T00:00:00.000Z", "2026-12-30T10:00:00.000Z",
           "2026-12-08T10:00:00.000Z"),
      Make("due-soon", "2026-11-04T00:00:00.000Z", "2026-12-10T10:00:00.000Z"),
      Make("expected-late", "2026-11-04T00:00:00.000Z", "2026-12-01T10:00:00.000Z",
           "2027-01-10T10:00:00.000Z"),
  };
  SortByDeadline(reports);
  CHECK(Ids(reports) == std::vector<std::string>{"expected-early", "due-soon", "due-late",
                                                 "expected-late", "none-new", "none-old"});
}

TEST_CASE(
    "Report list filters: status, ward, category, overdue and text in title, description, code") {
  Report r = Make("r1", "2026-11-01T00:00:00.000Z");
  r.title = "Ngập nước đường Lạc Long Quân";
  r.description = "Nước ngập tới đầu GỐI sau cơn mưa";
  r.receipt_code = "Q11-7KXM-42PA";
  CHECK(MatchesFilter(r, {}));
  ReportFilter f;
  f.status = "new";
  f.ward_id = "p04";
  CHECK(MatchesFilter(r, f));
  f.ward_id = "p05";
  CHECK_FALSE(MatchesFilter(r, f));
  f = {};
  r.category_id = "ngap-nuoc";
  f.category_id = "ngap-nuoc";
  CHECK(MatchesFilter(r, f));
  f.category_id = "rac-thai";
  CHECK_FALSE(MatchesFilter(r, f));
  f = {};
  f.status = "accepted";
  CHECK_FALSE(MatchesFilter(r, f));
  f = {};
  f.overdue = true;
  CHECK_FALSE(MatchesFilter(r, f));
  r.overdue = true;
  CHECK(MatchesFilter(r, f));

  for (const char* found :
       {"lạc long", "LẠC LONG", "mưa", "7kxm", "Q11-7KXM-42PA", "q117kxm42pa", "7KXM 42", "ngập"}) {
    f = {};
    f.search = found;
    INFO(found);
    // Only ASCII letters fold: "LẠC" holds an upper-case Ạ, which is not folded.
    if (std::string(found) == "LẠC LONG")
      CHECK_FALSE(MatchesFilter(r, f));
    else
      CHECK(MatchesFilter(r, f));
  }
  for (const char* missed : {"karaoke", "Q11-7KXM-42PB", "8KXM"}) {
    f = {};
    f.search = missed;
    INFO(missed);
    CHECK_FALSE(MatchesFilter(r, f));
  }
}
