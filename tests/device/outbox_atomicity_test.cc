// The outbox promise: a local write and its outbox entry are committed together or not
// at all, even when the process dies in between; seqs are never reused.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "database_impl.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::device::test;

namespace {

std::string InsertReportSql(const std::string& id) { return ReportRowSql(id, "new"); }

constexpr const char* kId1 = "01890000-0000-7000-8000-000000000001";
constexpr const char* kId2 = "01890000-0000-7000-8000-000000000002";

// These writes touch no event rows whose report must be looked up.
Result<std::string> NoOwner(const std::string&) { return std::string(); }

}  // namespace

TEST_CASE("a write that fails midway leaves neither rows nor an outbox entry", "[outbox]") {
  TempDir dir;
  FakeEnv env;
  auto opened = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(opened.ok());
  DatabaseImpl& db = *DatabaseImpl::From(**opened);
  std::string before = Dump(dir.File("d.db"));

  LocalWriter writer(&db.db(), &db.outbox(), &env, NoOwner);
  auto seq = writer.Run([&]() -> Status {
    Q11_RETURN_IF_ERROR(db.db().Exec(InsertReportSql(kId1)));
    return Internal("the second half of the write failed");
  });
  REQUIRE(!seq.ok());
  CHECK(seq.status().message() == "the second half of the write failed");
  CHECK(Dump(dir.File("d.db")) == before);

  // A constraint failure in the second statement also rolls back the first.
  seq = writer.Run([&]() -> Status {
    Q11_RETURN_IF_ERROR(db.db().Exec(InsertReportSql(kId1)));
    return db.db().Exec(InsertReportSql(kId1));  // duplicate primary key
  });
  REQUIRE(!seq.ok());
  CHECK(Dump(dir.File("d.db")) == before);

  // And the writer still works afterwards (no transaction left open).
  seq = writer.Run([&] { return db.db().Exec(InsertReportSql(kId2)); });
  REQUIRE(seq.ok());
  CHECK(*seq == 1);
  CHECK(db.OutboxCount().value() == 1);
}

TEST_CASE("a crash before COMMIT leaves neither rows nor an outbox entry", "[outbox]") {
  TempDir dir;
  std::string path = dir.File("d.db");
  {
    FakeEnv env;
    auto db = Database::Open(path, {&env});
    REQUIRE(db.ok());
    REQUIRE((*db)
                ->FileReport([] {
                  NewReport r;
                  r.category_id = "rac-thai";
                  r.ward_id = "p01";
                  r.title = "trước / before";
                  return r;
                }())
                .ok());
  }
  std::string before = Dump(path);

  // The child writes the row and the outbox entry inside the captured transaction, then
  // dies without committing or closing: what a power cut or a kill -9 does.
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    FakeEnv env;
    auto db = Database::Open(path, {&env});
    if (!db.ok()) _exit(3);
    DatabaseImpl& impl = *DatabaseImpl::From(**db);
    LocalWriter writer(&impl.db(), &impl.outbox(), &env, NoOwner);
    (void)writer.Run([&]() -> Status {
      if (!impl.db().Exec(InsertReportSql(kId1)).ok()) _exit(4);
      if (!impl.outbox().Append("not a changeset, never committed", {}, "now").ok()) _exit(5);
      _exit(0);  // crash: no COMMIT, no ROLLBACK, no close
    });
    _exit(6);
  }
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);

  FakeEnv env;
  auto db = Database::Open(path, {&env});
  REQUIRE(db.ok());
  CHECK(Dump(path) == before);
  CHECK((*db)->ListReports()->size() == 1);
  CHECK((*db)->OutboxCount().value() == 1);
  // The database is fully usable after the crash.
  REQUIRE((*db)->ExecCaptured(InsertReportSql(kId2)).ok());
  CHECK((*db)->OutboxCount().value() == 2);
}

TEST_CASE("outbox seqs are never reused, even after entries are settled", "[outbox]") {
  TempDir dir;
  FakeEnv env;
  auto opened = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(opened.ok());
  DatabaseImpl& db = *DatabaseImpl::From(**opened);
  REQUIRE(db.ExecCaptured(InsertReportSql(kId1)).ok());
  REQUIRE(db.ExecCaptured(InsertReportSql(kId2)).ok());
  {
    auto tx = sql::Transaction::Begin(db.db());
    REQUIRE(tx.ok());
    REQUIRE(db.outbox().MarkAcked(1, 5).ok());
    REQUIRE(db.outbox().Settle(2, "rejected", "no", "now").ok());
    REQUIRE(db.outbox().DropPassed(5).value() == 1);
    REQUIRE(tx->Commit().ok());
  }
  CHECK(db.OutboxCount().value() == 0);
  REQUIRE(db.ExecCaptured("DELETE FROM reports WHERE id = '" + std::string(kId1) + "'").ok());
  auto entries = db.Outbox();
  REQUIRE(entries.ok());
  REQUIRE(entries->size() == 1);
  CHECK(entries->front().seq == 3);
  CHECK(entries->front().tables == std::vector<std::string>{"reports"});
}

TEST_CASE("a full disk refuses a local write cleanly and the next one works with room again",
          "[outbox]") {
  TempDir dir;
  FakeEnv env;
  auto opened = Database::Open(dir.File("d.db"), {&env});
  REQUIRE(opened.ok());
  DatabaseImpl& db = *DatabaseImpl::From(**opened);
  REQUIRE(db.ExecCaptured(InsertReportSql(kId1)).ok());
  // SQLite answers a reached max_page_count exactly as it answers a full disk (SQLITE_FULL).
  auto pages = db.db().QueryText("PRAGMA page_count");
  REQUIRE(pages.ok());
  REQUIRE(db.db().Exec("PRAGMA max_page_count = " + pages->value_or("0")).ok());
  std::string before = Dump(dir.File("d.db"));

  NewReport big;
  big.category_id = "rac-thai";
  big.ward_id = "p01";
  big.title = "Rác tràn ra đường";
  big.description = std::string(19000, 'x');  // needs pages the disk no longer has
  auto filed = (*opened)->FileReport(big);
  REQUIRE_FALSE(filed.ok());
  CHECK(filed.status().code() == StatusCode::kResourceExhausted);
  CHECK_THAT(filed.status().message(), Catch::Contains("storage is full"));
  CHECK_THAT(filed.status().message(), Catch::Contains("Bộ nhớ máy đã đầy"));
  CHECK(Dump(dir.File("d.db")) == before);
  CHECK(db.OutboxCount().value() == 1);

  REQUIRE(db.db().Exec("PRAGMA max_page_count = 1073741823").ok());  // space freed
  REQUIRE((*opened)->FileReport(big).ok());
  CHECK(db.OutboxCount().value() == 2);
  CHECK((*opened)->ListReports()->size() == 2);
}
