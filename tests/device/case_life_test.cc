// The case life on the device (docs/workflow.md): receipt codes made offline, response
// templates, progress notes, duplicates, the citizen's rating and reopening with their
// early checks, and the schema upgrade of a version 2 database.
#include <catch2/catch.hpp>

#include "devicecore/json.h"
#include "protocol/ids.h"
#include "protocol/receipt_code.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

constexpr const char* kR1 = "01890000-0000-7000-8000-0000000000d1";
constexpr const char* kR2 = "01890000-0000-7000-8000-0000000000d2";

std::unique_ptr<Database> Open(const TempDir& dir, FakeEnv& env, const std::string& role) {
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  REQUIRE((*db)->SaveAccount(TestAccount(role, role == "citizen" ? "" : "p05")).ok());
  return std::move(*db);
}

NewReport Flooding() {
  NewReport r;
  r.category_id = "ngap-nuoc";
  r.ward_id = "p04";
  r.title = "Ngập";
  r.description = "Nước ngập tới gối";
  return r;
}

// Puts a report as the server sent it (not captured: a pull's work).
void Received(const TempDir& dir, const std::string& id, const std::string& status,
              const std::string& extra = "") {
  auto raw = sql::Db::Open(dir.File("d.db"), false);
  REQUIRE(raw.ok());
  REQUIRE(raw->Exec(ReportRowSql(id, status)).ok());
  if (!extra.empty()) REQUIRE(raw->Exec(extra).ok());
}

}  // namespace

TEST_CASE("A report filed offline carries a receipt code at once") {
  TempDir dir;
  FakeEnv env;
  auto db = Open(dir, env, "citizen");
  auto id = db->FileReport(Flooding());
  REQUIRE(id.ok());
  auto r = db->GetReport(*id);
  REQUIRE(r.ok());
  REQUIRE(r->receipt_code.has_value());
  CHECK(receipt::IsCanonical(*r->receipt_code));
  CHECK_FALSE(r->received_at.has_value());  // the server stamps it
  auto other = db->FileReport(Flooding());
  REQUIRE(other.ok());
  CHECK(db->GetReport(*other)->receipt_code != r->receipt_code);
  CHECK_THAT(ReportToJson(*r), Catch::Contains("\"receipt_code\":\"" + *r->receipt_code + "\""));
}

TEST_CASE("Response templates are reference data, listed per status") {
  TempDir dir;
  FakeEnv env;
  auto db = Open(dir, env, "official");
  auto rejected = db->ListTemplates("rejected");
  REQUIRE(rejected.ok());
  REQUIRE(rejected->size() == 2);
  for (const ResponseTemplate& t : *rejected) CHECK(t.status == "rejected");
  auto all = db->ListTemplates("");
  REQUIRE(all.ok());
  CHECK(all->size() > rejected->size());
  auto cats = db->ListCategories();
  REQUIRE(cats.ok());
  for (const Category& c : *cats) {
    INFO(c.id);
    CHECK(c.deadline_amount > 0);
    CHECK((c.level == "urgent" || c.level == "normal" || c.level == "complex"));
  }
}

TEST_CASE("Progress notes need a future date and set expected_at with a progress event") {
  TempDir dir;
  FakeEnv env;
  auto db = Open(dir, env, "official");
  Received(dir, kR1, "in_progress");
  CHECK(db->PostProgress(kR1, "", "2027-02-01T10:00:00Z").code() == StatusCode::kInvalidArgument);
  CHECK(db->PostProgress(kR1, "Chờ vật tư", "2020-01-01T00:00:00Z").code() ==
        StatusCode::kInvalidArgument);
  REQUIRE(db->PostProgress(kR1, "Chờ vật tư", "2027-02-01T10:00:00Z").ok());
  auto r = db->GetReport(kR1);
  REQUIRE(r.ok());
  CHECK(r->expected_at == "2027-02-01T10:00:00.000Z");
  REQUIRE(r->events.size() == 1);
  CHECK(r->events[0].kind == "progress");
  CHECK(*db->PendingCount() == 1);  // one captured change: the date and the note together
  // Overdue by the device clock: past expected_at (here due_at is 2027-01-17).
  Received(dir, kR2, "accepted");
  env.now_ms = *ParseUtc("2027-01-18T00:00:00Z");
  CHECK(db->GetReport(kR2)->overdue);
  CHECK_FALSE(db->GetReport(kR1)->overdue);
}

TEST_CASE("Marking a duplicate names the original") {
  TempDir dir;
  FakeEnv env;
  auto db = Open(dir, env, "official");
  Received(dir, kR1, "new");
  Received(dir, kR2, "new");
  CHECK(db->MarkDuplicate(kR2, kR2, "").code() == StatusCode::kInvalidArgument);
  REQUIRE(db->MarkDuplicate(kR2, kR1, "").ok());
  auto r = db->GetReport(kR2);
  CHECK(r->status == "duplicate");
  CHECK(r->duplicate_of == std::string(kR1));
}

TEST_CASE("Citizens rate and reopen only a result, with a reason") {
  TempDir dir;
  FakeEnv env;
  auto db = Open(dir, env, "citizen");
  Received(dir, kR1, "in_progress");
  CHECK(db->RateResult(kR1, 4, "").code() == StatusCode::kFailedPrecondition);
  CHECK(db->ReopenReport(kR1, "chưa xong").code() == StatusCode::kFailedPrecondition);
  Received(dir, kR2, "resolved",
           "UPDATE reports SET resolved_at = '2027-01-14T00:00:00.000Z' WHERE id = '" +
               std::string(kR2) + "'");
  CHECK(db->RateResult(kR2, 0, "").code() == StatusCode::kInvalidArgument);
  CHECK(db->RateResult(kR2, 6, "").code() == StatusCode::kInvalidArgument);
  REQUIRE(db->RateResult(kR2, 2, "Chưa sạch").ok());
  CHECK(db->ReopenReport(kR2, "  ").code() == StatusCode::kInvalidArgument);
  REQUIRE(db->ReopenReport(kR2, "Rác vẫn còn").ok());
  auto r = db->GetReport(kR2);
  REQUIRE(r.ok());
  CHECK(r->status == "reopened");
  REQUIRE(r->events.size() == 2);
  CHECK(r->events[0].kind == "rating");
  CHECK(r->events[0].stars == 2);
  CHECK(r->events[1].status == "reopened");
  CHECK_THAT(ReportToJson(*r), Catch::Contains("\"stars\":2"));
  // Past the period by the device clock: refused early.
  Received(dir, "01890000-0000-7000-8000-0000000000d3", "resolved",
           "UPDATE reports SET resolved_at = '2027-01-01T00:00:00.000Z' WHERE status = "
           "'resolved'");
  CHECK(db->ReopenReport("01890000-0000-7000-8000-0000000000d3", "x").code() ==
        StatusCode::kFailedPrecondition);
  // Officials do not rate.
  REQUIRE(db->SaveAccount(TestAccount("official", "p05")).ok());
  CHECK(db->RateResult(kR2, 5, "").code() == StatusCode::kPermissionDenied);
}

TEST_CASE("A version 2 device database gains the case life's columns and tables") {
  TempDir dir;
  FakeEnv env;
  std::string id;
  {
    auto db = Database::Open(dir.File("d.db"), {&env});
    REQUIRE(db.ok());
    id = *(*db)->FileReport(Flooding());
  }
  {
    auto raw = sql::Db::Open(dir.File("d.db"), false);
    REQUIRE(raw.ok());
    for (const char* col :
         {"receipt_code", "received_at", "expected_at", "resolved_at", "duplicate_of"})
      REQUIRE(raw->Exec(std::string("ALTER TABLE reports DROP COLUMN ") + col).ok());
    for (const char* col : {"level", "deadline_amount", "deadline_unit"})
      REQUIRE(raw->Exec(std::string("ALTER TABLE categories DROP COLUMN ") + col).ok());
    REQUIRE(raw->Exec("ALTER TABLE case_events DROP COLUMN stars; DROP TABLE holidays; "
                      "DROP TABLE response_templates; PRAGMA user_version = 2")
                .ok());
  }
  auto db = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(db.ok());
  CHECK(Query(dir.File("d.db"), "PRAGMA user_version") == "4");
  CHECK(Query(dir.File("d.db"),
              "SELECT group_concat(name, ',') FROM pragma_table_info('reports') "
              "WHERE cid >= 15") ==
        "receipt_code,received_at,expected_at,resolved_at,duplicate_of");
  CHECK(Query(dir.File("d.db"),
              "SELECT level || ' ' || deadline_amount || ' ' || deadline_unit "
              "FROM categories WHERE id = 'ngap-nuoc'") == "urgent 8 working_hours");
  CHECK(Query(dir.File("d.db"), "SELECT count(*) FROM holidays WHERE day LIKE '2027-%'") != "0");
  auto r = (*db)->GetReport(id);
  REQUIRE(r.ok());
  CHECK_FALSE(r->receipt_code.has_value());
  CHECK((*db)->ListTemplates("accepted")->size() == 1);
}
