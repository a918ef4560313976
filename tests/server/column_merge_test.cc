// The three-way merge on values (sync/merge/column_merge.h): the decision both engines run.
#include <catch2/catch.hpp>

#include "sync/merge/column_merge.h"

using namespace q11;
using namespace q11::server;

namespace {

// A report-like table: id, status, title, updated_at.
TableShape Reports() {
  TableShape s;
  s.name = "reports";
  s.columns = {"id", "status", "title", "updated_at"};
  s.pk = {true, false, false, false};
  s.pk_column = 0;
  return s;
}

Value T(const char* s) { return Value::Text(s); }
Value Unchanged() { return Value{}; }

}  // namespace

TEST_CASE("Column merge: the stored value equals the base, so the device's value is taken") {
  std::vector<Value> row = {T("r1"), T("new"), T("Đèn hỏng"), T("t1")};
  ColumnMerge m = MergeColumns(Reports(), {T("r1"), T("new"), T("Đèn hỏng"), T("t1")},
                               {Unchanged(), Unchanged(), T("Đèn đường hỏng"), T("t2")},
                               Role::kCitizen, false, 1, 3, &row);
  CHECK(m.set == std::vector<int>{2, 3});
  CHECK(m.parked.empty());
  CHECK_FALSE(m.merged);
  CHECK(m.as_sent);
  CHECK(row[2].text() == "Đèn đường hỏng");
}

TEST_CASE("Column merge: both sides made the same change: merged, nothing written") {
  std::vector<Value> row = {T("r1"), T("accepted"), T("x"), T("t2")};
  ColumnMerge m = MergeColumns(Reports(), {T("r1"), T("new"), T("x"), T("t1")},
                               {Unchanged(), T("accepted"), Unchanged(), Unchanged()},
                               Role::kOfficial, false, 1, 3, &row);
  CHECK(m.set.empty());
  CHECK(m.parked.empty());
  CHECK(m.merged);
  CHECK_FALSE(m.as_sent);  // the stored row had moved past the device's base
}

TEST_CASE("Column merge: a real conflict without a rule is parked, the stored value stays") {
  std::vector<Value> row = {T("r1"), T("new"), T("server title"), T("t2")};
  ColumnMerge m = MergeColumns(Reports(), {T("r1"), T("new"), T("old title"), T("t1")},
                               {Unchanged(), Unchanged(), T("device title"), Unchanged()},
                               Role::kOfficial, false, 1, 3, &row);
  CHECK(m.parked == std::vector<int>{2});
  CHECK(m.set.empty());
  CHECK(row[2].text() == "server title");
  CHECK_FALSE(m.as_sent);
}

TEST_CASE("Column merge: a status further along wins by the workflow rule, with its reason") {
  // The server moved on to in_progress; this device only accepted: the server keeps it.
  std::vector<Value> row = {T("r1"), T("in_progress"), T("x"), T("t2")};
  ColumnMerge kept = MergeColumns(Reports(), {T("r1"), T("new"), T("x"), T("t1")},
                                  {Unchanged(), T("accepted"), Unchanged(), Unchanged()},
                                  Role::kOfficial, false, 1, 3, &row);
  CHECK(kept.merged);
  CHECK(kept.set.empty());
  REQUIRE(kept.settled.size() == 1);
  CHECK(kept.settled[0].column == 1);
  CHECK_THAT(kept.settled[0].why_en, Catch::Contains("keeps status in_progress"));
  CHECK(row[1].text() == "in_progress");
  // The other way round, the device's later step is taken.
  std::vector<Value> row2 = {T("r1"), T("accepted"), T("x"), T("t2")};
  ColumnMerge taken = MergeColumns(Reports(), {T("r1"), T("new"), T("x"), T("t1")},
                                   {Unchanged(), T("resolved"), Unchanged(), Unchanged()},
                                   Role::kOfficial, false, 1, 3, &row2);
  CHECK(taken.set == std::vector<int>{1});
  CHECK(row2[1].text() == "resolved");
}

TEST_CASE("Column merge: a citizen's late edit is parked but for the status and updated_at") {
  std::vector<Value> row = {T("r1"), T("resolved"), T("x"), T("t2")};
  ColumnMerge m = MergeColumns(Reports(), {T("r1"), T("resolved"), T("x"), T("t2")},
                               {Unchanged(), T("reopened"), T("new title"), T("t3")},
                               Role::kCitizen, /*citizen_late=*/true, 1, 3, &row);
  CHECK(m.parked == std::vector<int>{2});  // the title waits for an admin
  CHECK(m.set == std::vector<int>{1});     // the reopening merges like staff's
  CHECK(row[1].text() == "reopened");
  CHECK(row[3].text() == "t2");  // updated_at neither set nor parked
  CHECK_FALSE(m.as_sent);
}
