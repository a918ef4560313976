// The conflict matrix of issue 3 on the real server: two officials (and a citizen) make
// conflicting edits offline on their own device databases, then sync. One case per row,
// each with its expected verdict, server row, conflict record and convergence of every
// device; parked conflicts are resolved with `syncserver conflicts resolve` and the
// resolution must reach the devices at their next sync. Rules and kinds: docs/conflicts.md.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <catch2/catch.hpp>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

// The real server with a citizen and two district officials, each on their own device.
struct Matrix {
  Matrix() : server(tmp.File("server")) {
    REQUIRE(server.AddUser("dan", "mat-khau-dan", "citizen"));
    REQUIRE(server.AddUser("canbo.a", "mat-khau-a", "official", "q11"));
    REQUIRE(server.AddUser("canbo.b", "mat-khau-b", "official", "q11"));
    REQUIRE(server.Start());
    citizen = Device("dan", "mat-khau-dan");
    a = Device("canbo.a", "mat-khau-a");
    b = Device("canbo.b", "mat-khau-b");
  }

  // `file` names the device (paths[file]); the citizen's second phone is another file.
  std::unique_ptr<Database> Device(const std::string& user, const std::string& password,
                                   const std::string& file = "") {
    const std::string name = file.empty() ? user : file;
    paths[name] = tmp.File(name + ".db");
    auto db = Database::Open(paths[name]);
    REQUIRE(db.ok());
    auto http = MakeHttpTransport(server.url());
    REQUIRE(http.ok());
    REQUIRE(Login(**db, **http, server.url(), user, password).ok());
    return std::move(db).value();
  }

  SyncResult SyncNow(Database& db) {
    auto http = MakeHttpTransport(server.url());
    REQUIRE(http.ok());
    auto r = Sync(db, **http);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  // A report filed by the citizen, synced to everyone.
  std::string FiledReport() {
    NewReport r;
    r.category_id = "rac-thai";
    r.ward_id = "p04";
    r.title = "Rác tồn đọng đầu hẻm";
    r.description = "Rác không được thu gom ba ngày nay.";
    auto id = citizen->FileReport(r);
    REQUIRE(id.ok());
    REQUIRE(SyncNow(*citizen).applied == 1);
    SyncNow(*a);
    SyncNow(*b);
    return *id;
  }

  std::string ServerText(const std::string& sql) {
    return ServerDbValue(server.data_dir(), sql, "∅");
  }

  static std::string Dump(sql::Db& db, const std::string& table, const std::string& where) {
    auto st = db.Prepare("SELECT * FROM " + table + (where.empty() ? "" : " WHERE " + where) +
                         " ORDER BY id");
    REQUIRE(st.ok());
    std::string out;
    int n = sqlite3_column_count(st->get());
    while (*st->Step()) {
      for (int c = 0; c < n; ++c) out += (st->IsNull(c) ? "∅" : st->Text(c)) + "|";
      out += "\n";
    }
    return out;
  }

  // Everyone syncs, then holds exactly the server's view for their account.
  void RequireConverged() {
    for (Database* d : {citizen.get(), a.get(), b.get()}) SyncNow(*d);
    for (Database* d : extra) SyncNow(*d);
    auto ref = citizen->GetAccount();
    REQUIRE(ref.ok());
    const std::string mine = "reporter_ref = '" + ref->reporter_ref + "'";
    for (const auto& [user, path] : paths) {
      INFO("device of " << user);
      auto local = sql::Db::Open(path, false);
      REQUIRE(local.ok());
      const bool is_citizen = user.rfind("dan", 0) == 0;
      std::string scope = is_citizen ? mine : "";
      std::string events =
          is_citizen ? "report_id IN (SELECT id FROM reports WHERE " + mine + ")" : "";
      CHECK(Dump(*local, "reports", "") == ServerDbDump(server.data_dir(), "reports", scope));
      CHECK(Dump(*local, "case_events", "") ==
            ServerDbDump(server.data_dir(), "case_events", events));
    }
  }

  CommandResult Cli(std::vector<std::string> args) {
    args.insert(args.begin(), {SyncserverBin(), "conflicts"});
    args.push_back("--data=" + server.data_dir());
    return Run(args);
  }

  // The one open conflict, via `syncserver conflicts list --json`.
  Poco::JSON::Object::Ptr OnlyOpenConflict() {
    CommandResult r = Cli({"list", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto list =
        Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>()->getArray("conflicts");
    REQUIRE(list->size() == 1);
    return list->getObject(0);
  }

  std::string Field(const std::string& user, const std::string& id, const std::string& column) {
    auto local = sql::Db::Open(paths[user], false);
    REQUIRE(local.ok());
    auto v = local->QueryText("SELECT " + column + " FROM reports WHERE id = '" + id + "'");
    REQUIRE(v.ok());
    return v->value_or("∅");
  }

  TempDir tmp;
  ServerProcess server;
  std::map<std::string, std::string> paths;
  std::unique_ptr<Database> citizen, a, b;
  std::vector<Database*> extra;  // more devices that RequireConverged syncs
};

std::string Set(const std::string& id, const std::string& set) {
  return "UPDATE reports SET " + set + " WHERE id = '" + id + "'";
}

}  // namespace

TEST_CASE("Matrix: disjoint columns merge without a conflict") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(m.b->ExecCaptured(Set(id, "assigned_unit = 'phong-qldt'")).ok());
  CHECK(m.SyncNow(*m.a).applied == 1);
  auto rb = m.SyncNow(*m.b);
  CHECK(rb.applied + rb.merged == 1);
  CHECK(rb.parked == 0);
  CHECK(m.ServerText("SELECT status || '/' || assigned_unit FROM reports") ==
        "accepted/phong-qldt");
  CHECK(m.ServerText("SELECT count(*) FROM conflicts") == "0");
  m.RequireConverged();
  CHECK(m.Field("canbo.b", id, "status") == "accepted");
}

TEST_CASE("Matrix: the same value on both sides is no conflict") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(m.b->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  CHECK(m.SyncNow(*m.a).applied == 1);
  CHECK(m.SyncNow(*m.b).merged == 1);
  CHECK(m.ServerText("SELECT count(*) FROM conflicts") == "0");
  m.RequireConverged();
}

TEST_CASE("Matrix: a status further along is settled by the workflow rule") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(m.b->ExecCaptured(Set(id, "status = 'in_progress'")).ok());
  m.SyncNow(*m.a);
  CHECK(m.SyncNow(*m.b).merged == 1);
  CHECK(m.ServerText("SELECT status FROM reports") == "in_progress");
  m.RequireConverged();
}

TEST_CASE("Matrix: a rule that keeps the server's status tells the losing device why") {
  // The contract between the real server's merged verdict and the device: the rule's
  // message reaches the user as a note on the report, and the device then holds the
  // server's status. B's status note announced the losing step: the public page omits it.
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->SetStatus(id, "in_progress", "Đang xử lý").ok());
  REQUIRE(m.b->SetStatus(id, "accepted", "Đã tiếp nhận").ok());
  CHECK(m.SyncNow(*m.a).applied == 1);
  SyncResult rb = m.SyncNow(*m.b);
  CHECK(rb.merged == 1);
  REQUIRE(rb.messages.size() == 1);
  const std::string why = "reports.status of " + id +
                          ": the server keeps status in_progress, not your accepted: another "
                          "official moved the case further along meanwhile";
  CHECK_THAT(rb.messages[0], Catch::Contains(why));
  auto rep = m.b->GetReport(id);
  REQUIRE(rep.ok());
  CHECK(rep->status == "in_progress");
  REQUIRE(rep->sync.merged_notes.size() == 1);
  CHECK_THAT(rep->sync.merged_notes[0].message, Catch::StartsWith(why));
  CHECK_THAT(rep->sync.merged_notes[0].message,
             Catch::Contains("/ reports.status of " + id + ": máy chủ giữ trạng thái in_progress"));
  CHECK(m.ServerText("SELECT count(*) FROM event_log WHERE overruled IS NOT NULL") == "1");
  CHECK(m.ServerText("SELECT e.note FROM case_events e JOIN event_log x ON x.event_id = e.id "
                     "WHERE x.overruled IS NOT NULL") == "Đã tiếp nhận");
  m.RequireConverged();
}

TEST_CASE("Matrix: different values are parked, then resolved with the CLI") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(m.b->ExecCaptured(Set(id, "status = 'rejected', assigned_unit = 'phong-qldt'")).ok());
  m.SyncNow(*m.a);
  auto rb = m.SyncNow(*m.b);
  CHECK(rb.parked == 1);
  REQUIRE(!rb.messages.empty());
  CHECK_THAT(rb.messages.front(), Catch::Contains("reports.status of " + id));
  CHECK(m.ServerText("SELECT status || '/' || assigned_unit FROM reports") ==
        "accepted/phong-qldt");
  m.RequireConverged();  // B's device shows the server's status meanwhile
  CHECK(m.Field("canbo.b", id, "status") == "accepted");

  auto c = m.OnlyOpenConflict();
  std::string cid = c->getValue<std::string>("id");
  CHECK(c->getValue<std::string>("row_id") == id);
  CHECK(c->getValue<std::string>("user") == "canbo.b");
  CommandResult show = m.Cli({"show", cid});
  CHECK(show.exit_code == 0);
  CHECK_THAT(show.out, Catch::Contains("'rejected'"));
  CommandResult bad = m.Cli({"resolve", cid, "--set=title=x"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("not part of conflict"));

  CommandResult r = m.Cli({"resolve", cid, "--take=device", "--by=admin.test"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(m.ServerText("SELECT status FROM reports") == "rejected");
  m.RequireConverged();
  CHECK(m.Field("canbo.a", id, "status") == "rejected");
  CHECK(m.Field("canbo.b", id, "status") == "rejected");
  CHECK(m.Field("dan", id, "status") == "rejected");

  CommandResult twice = m.Cli({"resolve", cid, "--take=server"});
  CHECK(twice.exit_code == 1);
  CHECK_THAT(twice.err, Catch::Contains("already resolved"));
  CHECK(m.ServerText("SELECT actor FROM audit_log WHERE action = 'conflict.resolved'") ==
        "admin.test");
}

TEST_CASE("Matrix: a resolution is refused when the row changed since it was parked") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(m.b->ExecCaptured(Set(id, "status = 'rejected'")).ok());
  m.SyncNow(*m.a);
  CHECK(m.SyncNow(*m.b).parked == 1);
  std::string cid = m.OnlyOpenConflict()->getValue<std::string>("id");
  REQUIRE(m.a->ExecCaptured(Set(id, "due_at = '2027-01-05T10:00:00.000Z'")).ok());
  m.SyncNow(*m.a);
  CommandResult r = m.Cli({"resolve", cid, "--take=device"});
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("changed since the conflict was parked"));
  CHECK(m.ServerText("SELECT status FROM reports") == "accepted");
}

TEST_CASE(
    "Matrix: update vs delete - an update of a withdrawn report is parked, it stays deleted") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.citizen->ExecCaptured("DELETE FROM reports WHERE id = '" + id + "'").ok());
  CHECK(m.SyncNow(*m.citizen).applied == 1);
  CHECK(m.ServerText("SELECT count(*) FROM reports") == "0");
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());  // offline, still holds it
  auto ra = m.SyncNow(*m.a);
  CHECK(ra.parked == 1);
  CHECK(m.ServerText("SELECT count(*) FROM reports") == "0");
  m.RequireConverged();
  CHECK(m.Field("canbo.a", id, "count(*)") == "0");
  auto c = m.OnlyOpenConflict();
  CHECK(c->getValue<std::string>("operation") == "update_deleted");

  // The admin restores it with the official's value; it comes back everywhere.
  CommandResult r = m.Cli({"resolve", c->getValue<std::string>("id"), "--take=device"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  m.RequireConverged();
  CHECK(m.Field("canbo.b", id, "status") == "accepted");
  CHECK(m.Field("dan", id, "title") == "Rác tồn đọng đầu hẻm");
}

TEST_CASE("Matrix: delete vs update - a withdrawal after an official accepted is parked") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  m.SyncNow(*m.a);
  REQUIRE(m.citizen->ExecCaptured("DELETE FROM reports WHERE id = '" + id + "'").ok());
  auto rc = m.SyncNow(*m.citizen);
  CHECK(rc.parked == 1);
  CHECK(m.ServerText("SELECT status FROM reports") == "accepted");
  m.RequireConverged();
  CHECK(m.Field("dan", id, "status") == "accepted");  // the citizen sees it kept
  auto c = m.OnlyOpenConflict();
  CHECK(c->getValue<std::string>("operation") == "delete");

  CommandResult r = m.Cli({"resolve", c->getValue<std::string>("id"), "--take=device"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(m.ServerText("SELECT count(*) FROM reports") == "0");
  m.RequireConverged();
  CHECK(m.Field("canbo.a", id, "count(*)") == "0");
}

TEST_CASE("Matrix: an insert with a colliding id is rejected and the server row is untouched") {
  Matrix m;
  std::string id = m.FiledReport();
  std::string before = m.ServerText("SELECT title FROM reports");
  auto other = m.Device("dan", "mat-khau-dan", "dan-phone2");  // the citizen's second phone
  m.extra.push_back(other.get());
  REQUIRE(
      other
          ->ExecCaptured("INSERT INTO reports (id, kind, category_id, ward_id, title, description, "
                         "status, created_at, updated_at) VALUES ('" +
                         id +
                         "', 'gop_y', 'rac-thai', 'p05', 'Khác', 'Nội dung khác', 'new', "
                         "'2026-11-27T08:00:00.000Z', '2026-11-27T08:00:00.000Z')")
          .ok());
  auto r = m.SyncNow(*other);
  CHECK(r.rejected == 1);
  REQUIRE(!r.messages.empty());
  CHECK_THAT(r.messages.front(), Catch::Contains("id already exists with other values"));
  CHECK(m.ServerText("SELECT title FROM reports") == before);
  m.RequireConverged();
}

TEST_CASE("Matrix: a constraint violation is rejected naming the column") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'done'")).ok());
  auto r = m.SyncNow(*m.a);
  CHECK(r.rejected == 1);
  REQUIRE(!r.messages.empty());
  CHECK_THAT(r.messages.front(), Catch::Contains("column status"));
  CHECK(m.ServerText("SELECT status FROM reports") == "new");
  m.RequireConverged();
  CHECK(m.Field("canbo.a", id, "status") == "new");
}

namespace {

// `syncserver audit verify --json` on the Matrix's server.
Poco::JSON::Object::Ptr VerifyAudit(Matrix& m, CommandResult* result,
                                    const std::string& head = "") {
  std::vector<std::string> args = {SyncserverBin(), "audit", "verify",
                                   "--data=" + m.server.data_dir(), "--json"};
  if (!head.empty()) args.push_back("--head=" + head);
  *result = Run(args);
  INFO(result->err);
  REQUIRE((result->exit_code == 0 || result->exit_code == 1));
  return Poco::JSON::Parser().parse(result->out).extract<Poco::JSON::Object::Ptr>();
}

void Tamper(Matrix& m, const std::string& sql) {
  std::string error;
  INFO(error);
  REQUIRE(ServerExec(m.server.data_dir(), sql, &error));
}

}  // namespace

TEST_CASE(
    "Audit chain: pushes, conflicts and admin actions are chained, and a tampered record is "
    "named") {
  Matrix m;
  std::string id = m.FiledReport();
  REQUIRE(m.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(m.b->ExecCaptured(Set(id, "status = 'rejected'")).ok());
  m.SyncNow(*m.a);
  CHECK(m.SyncNow(*m.b).parked == 1);
  // A lying phone: the citizen sets an official's column; refused, and audited as such.
  REQUIRE(m.citizen->ExecCaptured(Set(id, "assigned_unit = 'phong-qldt'")).ok());
  CHECK(m.SyncNow(*m.citizen).rejected == 1);
  std::string cid = m.OnlyOpenConflict()->getValue<std::string>("id");
  REQUIRE(m.Cli({"resolve", cid, "--take=device", "--by=admin.test"}).exit_code == 0);
  CommandResult key = Run(
      {SyncserverBin(), "apikey", "add", "--data=" + m.server.data_dir(), "--name=so-xay-dung"});
  REQUIRE(key.exit_code == 0);

  CHECK(m.ServerText("SELECT count(*) FROM audit_log WHERE chain_hash IS NULL") == "0");
  for (const char* action :
       {"sync.push", "conflict.parked", "conflict.resolved", "apikey.added", "account.added"}) {
    INFO(action);
    CHECK(m.ServerText(std::string("SELECT count(*) FROM audit_log WHERE action = '") + action +
                       "'") != "0");
  }
  // Each push says what it carried (the changeset's hash) and what was decided.
  const std::string parked_push = m.ServerText(
      "SELECT id FROM audit_log WHERE action = 'sync.push' AND details LIKE '%\"parked\"%'");
  CHECK(parked_push != "∅");
  CHECK(m.ServerText("SELECT count(*) FROM audit_log WHERE action = 'sync.push' AND details "
                     "LIKE '%\"rejected\"%' AND actor = 'dan'") == "1");
  CHECK_THAT(m.ServerText("SELECT details FROM audit_log WHERE id = " + parked_push),
             Catch::Contains("changeset_sha256"));

  CommandResult r;
  Poco::JSON::Object::Ptr v = VerifyAudit(m, &r);
  CHECK(r.exit_code == 0);
  CHECK(v->getValue<bool>("intact"));
  const int checked = v->getValue<int>("checked");
  CHECK(checked >= 10);
  const std::string head = v->getValue<std::string>("head");

  SECTION("a verdict rewritten in the database") {
    Tamper(m,
           "UPDATE audit_log SET details = replace(details, '\"parked\"', '\"applied\"') "
           "WHERE id = " +
               parked_push);
    v = VerifyAudit(m, &r);
    CHECK(r.exit_code == 1);
    CHECK_FALSE(v->getValue<bool>("intact"));
    CHECK_THAT(v->getValue<std::string>("broken"),
               Catch::StartsWith("record " + parked_push + " (") &&
                   Catch::Contains("content was changed"));
  }
  SECTION("a record removed") {
    Tamper(m, "DELETE FROM audit_log WHERE id = " + parked_push);
    v = VerifyAudit(m, &r);
    CHECK(r.exit_code == 1);
    const std::string next =
        m.ServerText("SELECT min(id) FROM audit_log WHERE id > " + parked_push);
    CHECK_THAT(v->getValue<std::string>("broken"),
               Catch::StartsWith("record " + next + " (") && Catch::Contains("does not follow"));
  }
  SECTION("an official's record passed off as pruned by retention") {
    Tamper(m,
           "UPDATE audit_log SET pruned = 1, details = '{}' WHERE action = "
           "'conflict.resolved'");
    v = VerifyAudit(m, &r);
    CHECK(r.exit_code == 1);
    CHECK_THAT(v->getValue<std::string>("broken"), Catch::Contains("never pruned"));
  }
  SECTION("the newest records cut off the end: found with the head kept from before") {
    Tamper(m, "DELETE FROM audit_log WHERE id > " + parked_push);
    v = VerifyAudit(m, &r);
    CHECK(r.exit_code == 0);  // what is left is a valid chain...
    v = VerifyAudit(m, &r, head);
    CHECK(r.exit_code == 1);  // ...but not the one whose head was kept
    CHECK_THAT(v->getValue<std::string>("broken"), Catch::Contains("cut off"));
  }
  SECTION("nothing touched: intact with the kept head, and the trail goes on") {
    v = VerifyAudit(m, &r, head);
    CHECK(r.exit_code == 0);
    m.SyncNow(*m.a);
    REQUIRE(m.a->ExecCaptured(Set(id, "expected_at = '2027-01-05T10:00:00.000Z'")).ok());
    m.SyncNow(*m.a);
    v = VerifyAudit(m, &r, head);
    CHECK(r.exit_code == 0);
    CHECK(v->getValue<int>("checked") > checked);
  }
}
