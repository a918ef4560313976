// Verified convergence against the real server, on either backend (docs/protocol.md,
// "Verified convergence"; docs/architecture.md, "One sync, step by step"): rows deleted,
// changed and added behind the library's back on a device (plain SQLite on its file) are
// found and repaired at its next sync while a pending local change survives and goes up;
// `q11 verify` answers by its exit status and JSON, before and after --repair; a fault in
// one scope on the server (its kept checksum edited in its database) is caught by every
// device of that scope and reported to /metrics, by no device of another scope, and the
// devices back off instead of repairing in a loop.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <sstream>

#include "cli_driver.h"
#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "devicecore/verify.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"
#include "test_backend.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

// The device's clock, moved on by the test (the repair backoff reads it).
class ShiftedEnv : public Env {
 public:
  int64_t shift_ms = 0;
  int64_t NowMs() override { return DefaultEnv()->NowMs() + shift_ms; }
  void RandomBytes(uint8_t* out, size_t n) override { DefaultEnv()->RandomBytes(out, n); }
  void SleepMs(int ms) override { DefaultEnv()->SleepMs(ms); }
};

// The real HTTP transport, counting what the device asks: scope-only pulls (repairs) and
// the drift reports its requests carry.
class CountingTransport : public Transport {
 public:
  explicit CountingTransport(std::unique_ptr<Transport> inner) : inner_(std::move(inner)) {}
  int scope_pulls = 0;
  std::vector<wire::DriftReport> drift_sent;
  Result<HttpReply> Post(std::string_view path, std::string_view content_type,
                         std::string_view body, std::string_view bearer) override {
    if (path == "/v1/sync") {
      auto req = wire::DecodeSyncRequest(body);
      REQUIRE(req.ok());
      if (!req->scope_only.empty()) {
        ++scope_pulls;
        CHECK(req->push.empty());
        CHECK(req->full_pull);
      }
      for (const wire::DriftReport& d : req->drift) drift_sent.push_back(d);
    }
    return inner_->Post(path, content_type, body, bearer);
  }
  Result<HttpReply> Send(const HttpRequest& request) override { return inner_->Send(request); }

 private:
  std::unique_ptr<Transport> inner_;
};

struct Phone {
  ShiftedEnv env;
  std::string path;
  std::unique_ptr<Database> db;
  std::unique_ptr<CountingTransport> net;

  Phone(const std::string& file, const std::string& url, const std::string& name,
        const std::string& password)
      : path(file) {
    auto opened = Database::Open(path, {&env});
    REQUIRE(opened.ok());
    db = std::move(opened).value();
    net = std::make_unique<CountingTransport>(q11::test::Connect(url));
    auto who = Login(*db, *net, url, name, password);
    INFO(who.status().ToString());
    REQUIRE(who.ok());
  }
  SyncResult Sync() {
    SyncOptions options;
    options.fetch_thumbnails = false;
    auto r = device::Sync(*db, *net, options);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  std::string File(const std::string& ward, const std::string& title) {
    NewReport n;
    n.category_id = "rac-thai";
    n.ward_id = ward;
    n.title = title;
    n.description = "Rác để lâu ngày trên vỉa hè";
    auto id = db->FileReport(n);
    REQUIRE(id.ok());
    return *id;
  }
  // Plain SQLite on the device's file, behind the library's back.
  void Tamper(const std::string& sql) const {
    auto raw = sql::Db::Open(path, false);
    REQUIRE(raw.ok());
    Status s = raw->Exec(sql);
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  const ScopeDrift* Drift(const SyncResult& r, const std::string& audience) const {
    for (const ScopeDrift& d : r.drift)
      if (d.audience == audience) return &d;
    return nullptr;
  }
};

// The value of each sample of /metrics whose name and labels start with `prefix`, summed.
double Metric(int port, const std::string& prefix) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, "/metrics",
                             Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::ostringstream body;
  Poco::StreamCopier::copyStream(s.receiveResponse(resp), body);
  REQUIRE(resp.getStatus() == Poco::Net::HTTPResponse::HTTP_OK);
  std::istringstream in(body.str());
  double sum = 0;
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) sum += std::stod(line.substr(line.rfind(' ') + 1));
  return sum;
}

struct Rig {
  TempDir tmp;
  ServerProcess server{tmp.File("server")};
  explicit Rig(const std::vector<std::string>& args = {}) {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.AddUser("canbo2.p04", "mat-khau-p04b", "official", "p04"));
    REQUIRE(server.AddUser("canbo.p05", "mat-khau-p05", "official", "p05"));
    REQUIRE(server.Start(args));
  }
  std::unique_ptr<Phone> Device(const std::string& name, const std::string& password) {
    return std::make_unique<Phone>(tmp.File(name + ".db"), server.url(), name, password);
  }
};

}  // namespace

TEST_CASE(
    "Verified convergence: rows deleted, changed and added behind the library's back "
    "are repaired at the next sync, and a pending local change survives and goes up") {
  Rig rig;
  auto lan = rig.Device("lan", "mat-khau-lan");
  const std::string r1 = lan->File("p04", "Rác ở hẻm 12");
  const std::string r2 = lan->File("p04", "Rác ở chợ");
  const std::string r3 = lan->File("p04", "Rác ở công viên");
  REQUIRE(lan->Sync().applied == 3);
  auto canbo = rig.Device("canbo.p04", "mat-khau-p04");
  SyncResult first = canbo->Sync();
  CHECK(first.drift.empty());
  REQUIRE(canbo->db->ListReports()->size() == 3);
  const double drift_before = Metric(rig.server.port(), "q11_sync_drift_total");

  canbo->Tamper("DELETE FROM reports WHERE id = '" + r1 +
                "'; UPDATE reports SET title = 'sửa lén', status = 'closed' WHERE id = '" + r2 +
                "'; INSERT INTO reports SELECT '01890000-0000-7000-8000-00000000dead', kind, "
                "category_id, ward_id, 'thêm lén', description, lat, lon, address, status, "
                "assigned_unit, due_at, reporter_ref, created_at, updated_at, receipt_code || "
                "'X', received_at, expected_at, resolved_at, duplicate_of FROM reports WHERE id "
                "= '" +
                r3 + "'");
  // A local change made after the tampering, not yet sent.
  auto comment = canbo->db->AddComment(r3, "Đã kiểm tra hiện trường");
  REQUIRE(comment.ok());
  REQUIRE(*canbo->db->PendingCount() == 1);

  SyncResult r = canbo->Sync();
  const ScopeDrift* own = canbo->Drift(r, "u:p04");
  REQUIRE(own != nullptr);
  CHECK(own->repaired);
  CHECK(own->rows_differing == 3);
  CHECK(r.drift.size() == 1);  // "ref" is verified and was left alone: it adds up
  CHECK(canbo->net->scope_pulls >= 1);
  // The server's rows again, and the local comment went up and stayed.
  CHECK(r.applied == 1);
  CHECK(r.pending_after == 0);
  REQUIRE(canbo->db->ListReports()->size() == 3);
  CHECK(canbo->db->GetReport(r2)->title == "Rác ở chợ");
  CHECK(canbo->db->GetReport(r2)->status == "new");
  CHECK(canbo->db->GetReport(r1).ok());
  auto shown = canbo->db->GetReport(r3);
  REQUIRE(shown.ok());
  bool has_comment = false;
  for (const CaseEvent& e : shown->events)
    has_comment = has_comment || e.note == "Đã kiểm tra hiện trường";
  CHECK(has_comment);
  CHECK(ServerDbValue(rig.server.data_dir(),
                      "SELECT count(*) FROM case_events WHERE id = '" + *comment + "'") == "1");
  // The reference data is all there (36 rows of the compiled set, which this server uses).
  CHECK(canbo->db->ListUnits()->size() + canbo->db->ListCategories()->size() == 36);
  // The next request told the server.
  CHECK(canbo->net->drift_sent.size() == 1);
  CHECK(Metric(rig.server.port(), "q11_sync_drift_total") == drift_before + 1);
  CHECK(Metric(rig.server.port(), "q11_sync_drift_rows_total{scope=\"unit\"}") == 3);
  CHECK(Metric(rig.server.port(), "q11_sync_drift_total{scope=\"unit\",outcome=\"repaired\"}") ==
        1);

  // The next sync finds nothing; the citizen's device was never touched by any of it.
  const int pulls = canbo->net->scope_pulls;
  CHECK(canbo->Sync().drift.empty());
  CHECK(canbo->net->scope_pulls == pulls);
  CHECK(lan->Sync().drift.empty());
  CHECK(lan->net->scope_pulls == 0);
}

TEST_CASE(
    "q11 verify: exit 1 and the rows that differ, --repair fixes them and keeps the "
    "pending change, then exit 0") {
  Rig rig;
  Cli q11{rig.tmp.File("lan-cli.db")};
  REQUIRE(q11({"login", "--server=" + rig.server.url(), "--name=lan", "--password=mat-khau-lan"})
              .exit_code == 0);
  CommandResult a = q11({"report", "new", "--category=rac-thai", "--ward=p04", "--title=Rác A",
                         "--description=Rác ở hẻm"});
  REQUIRE(a.exit_code == 0);
  const std::string id_a = LastLine(a.out);
  CommandResult b = q11({"report", "new", "--category=rac-thai", "--ward=p05", "--title=Rác B",
                         "--description=Rác ở chợ"});
  REQUIRE(b.exit_code == 0);
  const std::string id_b = LastLine(b.out);
  REQUIRE(q11({"sync"}).exit_code == 0);

  CommandResult equal = q11({"verify", "--json"});
  INFO(equal.err);
  REQUIRE(equal.exit_code == 0);
  CHECK(ParseObject(equal.out)->getValue<bool>("equal"));

  // Behind the library's back: one report gone, one changed.
  {
    auto raw = sql::Db::Open(q11.db, false);
    REQUIRE(raw.ok());
    REQUIRE(raw->Exec("DELETE FROM reports WHERE id = '" + id_a +
                      "'; UPDATE reports SET description = 'khác' WHERE id = '" + id_b + "'")
                .ok());
  }
  // A pending local change: a new report, not synced.
  CommandResult c = q11({"report", "new", "--category=rac-thai", "--ward=p05", "--title=Rác C",
                         "--description=Chưa gửi"});
  REQUIRE(c.exit_code == 0);
  const std::string id_c = LastLine(c.out);

  CommandResult differs = q11({"verify", "--json"});
  INFO(differs.err);
  REQUIRE(differs.exit_code == 1);
  auto report = ParseObject(differs.out);
  CHECK_FALSE(report->getValue<bool>("equal"));
  auto scopes = report->getArray("scopes");
  std::map<std::string, std::string> kinds;  // id -> kind, in the citizen's own scope
  REQUIRE(scopes->size() == 2);
  for (size_t i = 0; i < scopes->size(); ++i) {
    auto s = scopes->getObject(static_cast<unsigned>(i));
    const std::string audience = s->getValue<std::string>("audience");
    if (audience == "ref") {
      CHECK(s->getValue<bool>("equal"));  // the built-in reference rows, counted by the server
      continue;
    }
    CHECK(audience.rfind("r:", 0) == 0);
    CHECK_FALSE(s->getValue<bool>("repaired"));
    auto diffs = s->getArray("differences");
    for (size_t k = 0; k < diffs->size(); ++k) {
      auto d = diffs->getObject(static_cast<unsigned>(k));
      CHECK(d->getValue<std::string>("table") == "reports");
      kinds[d->getValue<std::string>("id")] = d->getValue<std::string>("kind");
    }
  }
  // The pending report is not a difference: it is compared without the outbox.
  CHECK(kinds == std::map<std::string, std::string>{{id_a, "missing"}, {id_b, "changed"}});
  CommandResult text = q11({"verify"});
  CHECK(text.exit_code == 1);
  CHECK_THAT(text.out, Catch::Contains("missing") && Catch::Contains(id_a) &&
                           Catch::Contains("KHÁC / DIFFERENT"));

  CommandResult repaired = q11({"verify", "--repair", "--json"});
  INFO(repaired.err);
  REQUIRE(repaired.exit_code == 0);
  auto fixed = ParseObject(repaired.out);
  CHECK(fixed->getValue<bool>("equal"));
  bool said_repaired = false;
  for (size_t i = 0; i < fixed->getArray("scopes")->size(); ++i) {
    auto s = fixed->getArray("scopes")->getObject(static_cast<unsigned>(i));
    if (s->getValue<bool>("repaired")) {
      said_repaired = true;
      CHECK(s->getArray("differences")->size() == 2);  // what it fixed
      CHECK(s->getValue<std::string>("device_checksum") ==
            s->getValue<std::string>("server_checksum"));
    }
  }
  CHECK(said_repaired);
  CommandResult after = q11({"verify"});
  CHECK(after.exit_code == 0);
  CHECK_THAT(after.out, Catch::Contains("khớp / equal"));
  // The pending report survived and goes up with the next sync.
  CHECK(ParseArray(q11({"outbox", "--json"}).out)->size() == 1);
  REQUIRE(q11({"sync"}).exit_code == 0);
  CHECK(ServerDbValue(rig.server.data_dir(),
                      "SELECT title FROM reports WHERE id = '" + id_c + "'") == "Rác C");
  CHECK(ParseObject(q11({"report", "show", id_a, "--json"}).out)->getValue<std::string>("title") ==
        "Rác A");
  CHECK(q11({"verify"}).exit_code == 0);
  CHECK(Metric(rig.server.port(),
               "q11_sync_drift_total{scope=\"reporter\",outcome=\"repaired\"}") == 1);

  // Could not compare: exit 5 (not 1, which means "different").
  rig.server.Stop();
  CommandResult down = q11({"verify", "--attempts=1"});
  CHECK(down.exit_code == 5);
  CHECK_THAT(down.err, Catch::Contains("Không kết nối được máy chủ"));
  Cli stranger{rig.tmp.File("stranger.db")};
  CHECK(stranger({"verify"}).exit_code == 5);
  CHECK(stranger({"verify", "--bogus"}).exit_code == 2);
}

TEST_CASE(
    "Verified convergence: a fault in one scope on the server is caught by every device "
    "of that scope and no other, and the devices back off") {
  Rig rig;
  auto lan = rig.Device("lan", "mat-khau-lan");
  lan->File("p04", "Rác ở hẻm 12");
  lan->File("p04", "Rác ở chợ");
  lan->File("p05", "Rác ở công viên");
  REQUIRE(lan->Sync().applied == 3);
  auto p04a = rig.Device("canbo.p04", "mat-khau-p04");
  auto p04b = rig.Device("canbo2.p04", "mat-khau-p04b");
  auto p05 = rig.Device("canbo.p05", "mat-khau-p05");
  for (Phone* p : {p04a.get(), p04b.get(), p05.get()}) CHECK(p->Sync().drift.empty());

  // The server's kept checksum of ward p04's scope goes wrong behind its back.
  std::string error;
  REQUIRE(ServerExec(rig.server.data_dir(),
                     "UPDATE scope_sums SET row_count = row_count + 1 WHERE audience = 'u:p04'",
                     &error));
  const double before = Metric(rig.server.port(), "q11_sync_drift_total");

  for (Phone* p : {p04a.get(), p04b.get()}) {
    SyncResult r = p->Sync();
    const ScopeDrift* d = p->Drift(r, "u:p04");
    REQUIRE(d != nullptr);
    CHECK_FALSE(d->repaired);
    CHECK_THAT(d->message, Catch::Contains("do not add up to its own checksum"));
    CHECK(d->next_try_ms > p->env.NowMs());
    CHECK(p->Drift(r, "ref") == nullptr);
    CHECK(p->db->ListReports()->size() == 2);  // nothing lost, nothing changed
  }
  SyncResult other = p05->Sync();
  CHECK(other.drift.empty());
  CHECK(p05->net->scope_pulls == 0);
  CHECK(Metric(rig.server.port(), "q11_sync_drift_total") == before + 2);
  CHECK(Metric(rig.server.port(), "q11_sync_drift_total{scope=\"unit\",outcome=\"unrepaired\"}") ==
        2);

  // The backoff: syncing again at once tries no repair and reports nothing new...
  const int pulls = p04a->net->scope_pulls;
  const size_t told = p04a->net->drift_sent.size();
  for (int i = 0; i < 3; ++i) {
    SyncResult again = p04a->Sync();
    REQUIRE(p04a->Drift(again, "u:p04") != nullptr);
    CHECK(p04a->Drift(again, "u:p04")->backing_off);
  }
  CHECK(p04a->net->scope_pulls == pulls);
  CHECK(p04a->net->drift_sent.size() == told);
  // ...a minute later it tries once more, then waits two minutes.
  p04a->env.shift_ms += 61'000;
  SyncResult later = p04a->Sync();
  CHECK(p04a->net->scope_pulls > pulls);
  REQUIRE(p04a->Drift(later, "u:p04") != nullptr);
  CHECK(p04a->Drift(later, "u:p04")->next_try_ms >= p04a->env.NowMs() + 110'000);
  const int pulls2 = p04a->net->scope_pulls;
  p04a->env.shift_ms += 61'000;
  p04a->Sync();
  CHECK(p04a->net->scope_pulls == pulls2);
  CHECK(Metric(rig.server.port(), "q11_sync_drift_total") == before + 3);

  // Mended on the server: the next sync adds up, and the backoff is over.
  REQUIRE(ServerExec(rig.server.data_dir(),
                     "UPDATE scope_sums SET row_count = row_count - 1 WHERE audience = 'u:p04'",
                     &error));
  CHECK(p04a->Sync().drift.empty());
  CHECK(p04b->Sync().drift.empty());
}

TEST_CASE(
    "Verified convergence: reference rows changed behind the library's back are repaired "
    "from a server that published its own set") {
  // The "ref" checksum counts built-in rows no change has logged (scope_sums.h): the
  // scope-only pull of "ref" from 0 carries them too, or the repair could not converge.
  Rig rig({"--reference=hcmc-2025"});
  REQUIRE(rig.server.AddUser("canbo.phu-tho", "mat-khau-pt", "official", "phu-tho"));
  auto canbo = rig.Device("canbo.phu-tho", "mat-khau-pt");
  CHECK(canbo->Sync().drift.empty());
  const size_t units = canbo->db->ListUnits()->size();
  canbo->Tamper(
      "UPDATE units SET name_en = 'tampered' WHERE id = 'phu-tho'; DELETE FROM categories WHERE "
      "rowid = (SELECT min(rowid) FROM categories); INSERT INTO units VALUES ('gia-mao', 'q11', "
      "'ward', 'Giả mạo', 'Forged')");
  SyncResult r = canbo->Sync();
  const ScopeDrift* ref = canbo->Drift(r, "ref");
  REQUIRE(ref != nullptr);
  CHECK(ref->repaired);
  CHECK(ref->rows_differing == 3);
  CHECK(canbo->db->ListUnits()->size() == units);
  // The Result must outlive the loop (a range-for over *temporary would dangle).
  const auto after = canbo->db->ListUnits();
  REQUIRE(after.ok());
  for (const Unit& u : *after) CHECK(u.name_en != "tampered");
  CHECK(Metric(rig.server.port(), "q11_sync_drift_total{scope=\"ref\",outcome=\"repaired\"}") == 1);
  CHECK(canbo->Sync().drift.empty());
}
