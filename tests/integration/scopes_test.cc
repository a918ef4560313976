// Verified convergence, the server's side (docs/protocol.md sections 6, 7 and 21), against
// the REAL server on both backends: a complete pull's scope checksums are the digests of
// exactly the rows a fresh device pulled (and those the device library holds), a scope
// repair reads one audience the account reads and nothing else, drift reports are counted
// in /metrics and logged, and `syncserver scopes check` finds a kept sum edited behind the
// server's back and --fix mends it.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <map>
#include <sstream>

#include "device_helpers.h"
#include "devicecore/account.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "protocol/schema.h"
#include "protocol/schema_versions.h"
#include "protocol/scope_digest.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using Poco::Net::HTTPRequest;

namespace {

struct Reply {
  int status = 0;
  std::string body;
};

Reply Send(int port, const std::string& method, const std::string& path, const std::string& body,
           const std::string& token, const std::string& type) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  if (method == HTTPRequest::HTTP_POST) {
    req.setContentType(type);
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

// The digest sum of every row of `tables`, as a device computes it from its SQLite file.
wire::ScopeSum DigestTables(sql::Db& db, const std::vector<std::string_view>& tables) {
  wire::ScopeSum sum;
  for (std::string_view table : tables) {
    auto st = db.Prepare("SELECT * FROM main." + std::string(table));
    REQUIRE(st.ok());
    while (*st->Step()) {
      wire::RowDigester d(table);
      sqlite3_stmt* raw = st->get();
      for (int i = 0; i < sqlite3_column_count(raw); ++i) {
        switch (sqlite3_column_type(raw, i)) {
          case SQLITE_INTEGER:
            d.AddInteger(sqlite3_column_int64(raw, i));
            break;
          case SQLITE_FLOAT:
            d.AddReal(sqlite3_column_double(raw, i));
            break;
          case SQLITE_TEXT:
            d.AddText(std::string_view(reinterpret_cast<const char*>(sqlite3_column_text(raw, i)),
                                       sqlite3_column_bytes(raw, i)));
            break;
          case SQLITE_BLOB:
            d.AddBlob(std::string_view(static_cast<const char*>(sqlite3_column_blob(raw, i)),
                                       sqlite3_column_bytes(raw, i)));
            break;
          default:
            d.AddNull();
        }
      }
      sum.Add(d.Finish());
    }
  }
  return sum;
}

const std::vector<std::string_view> kOwnTables = {"reports", "case_events", "photos"};

std::vector<std::string_view> TablesOf(const std::string& audience) {
  if (audience == "ref")
    return {schema::kPublishedReferenceTables.begin(), schema::kPublishedReferenceTables.end()};
  return kOwnTables;
}

NewReport Sample(const std::string& ward, const std::string& title) {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = ward;
  r.title = title;
  r.description = "Đèn đường tắt cả tuần, đường tối.";
  r.lat = 10.7634;  // a REAL with a fraction: its bits must travel unchanged
  r.lon = 106.65;
  return r;
}

const std::map<std::string, std::string> kPasswords = {{"lan", "mat-khau-lan"},
                                                       {"minh", "mat-khau-minh"},
                                                       {"canbo.p04", "mat-khau-p04"},
                                                       {"canbo.q11", "mat-khau-q11"},
                                                       {"lanhdao", "mat-khau-lanhdao"}};

struct Field {
  Field() : server(tmp.File("server")) {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.AddUser("canbo.q11", "mat-khau-q11", "official", "q11"));
    REQUIRE(server.AddUser("lanhdao", "mat-khau-lanhdao", "leader"));
    REQUIRE(server.Start());
    for (const auto& [user, password] : kPasswords) devices[user] = Device(user, password);
  }

  std::unique_ptr<Database> Device(const std::string& user, const std::string& password) {
    paths[user] = tmp.File(user + ".db");
    auto db = Database::Open(paths[user]);
    REQUIRE(db.ok());
    auto http = MakeHttpTransport(server.url(), 10000);
    REQUIRE(http.ok());
    auto login = Login(**db, **http, server.url(), user, password);
    INFO(user << ": " << login.status().ToString());
    REQUIRE(login.ok());
    return std::move(db).value();
  }

  SyncResult SyncOk(const std::string& user) {
    auto http = MakeHttpTransport(server.url(), 10000);
    REQUIRE(http.ok());
    auto r = Sync(*devices[user], **http);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  std::string Token(const std::string& user, const std::string& password) {
    Reply r = Send(server.port(), HTTPRequest::HTTP_POST, "/v1/login",
                   R"({"name":")" + user + R"(","password":")" + password + R"("})", "",
                   "application/json");
    REQUIRE(r.status == 200);
    const size_t at = r.body.find("\"token\":\"");
    REQUIRE(at != std::string::npos);
    return r.body.substr(at + 9, r.body.find('"', at + 9) - at - 9);
  }

  Reply RawSync(const std::string& token, const wire::SyncRequest& req) {
    return Send(server.port(), HTTPRequest::HTTP_POST, "/v1/sync", wire::EncodeSyncRequest(req),
                token, "application/x-q11-sync");
  }

  // Some history: reports in two wards, one moved to another unit, one withdrawn, events.
  void Work() {
    auto a = devices["lan"]->FileReport(Sample("p04", "Đèn hỏng"));
    auto b = devices["lan"]->FileReport(Sample("p05", "Ổ gà"));
    auto c = devices["minh"]->FileReport(Sample("p04", "Rác"));
    auto d = devices["minh"]->FileReport(Sample("p04", "Sẽ rút lại"));
    REQUIRE((a.ok() && b.ok() && c.ok() && d.ok()));
    SyncOk("lan");
    SyncOk("minh");
    REQUIRE(devices["minh"]->ExecCaptured("DELETE FROM reports WHERE id = '" + *d + "'").ok());
    SyncOk("minh");
    SyncOk("canbo.p04");
    REQUIRE(devices["canbo.p04"]
                ->ExecCaptured("UPDATE reports SET status = 'accepted' WHERE id = '" + *a + "'")
                .ok());
    SyncOk("canbo.p04");
    SyncOk("canbo.q11");
    REQUIRE(devices["canbo.q11"]
                ->ExecCaptured("UPDATE reports SET assigned_unit = 'phong-tnmt' WHERE id = '" + *c +
                               "'")
                .ok());
    SyncOk("canbo.q11");
    for (const auto& [user, db] : devices) SyncOk(user);
  }

  TempDir tmp;
  ServerProcess server;
  std::map<std::string, std::string> paths;
  std::map<std::string, std::unique_ptr<Database>> devices;
};

// A full pull from zero, `page` rows at a time, into an empty copy of the synced tables;
// returns the checksums of the last (complete) page.
std::vector<wire::SyncResponse::ScopeCheck> FreshPull(Field& f, const std::string& user,
                                                      sql::Db& into, uint32_t page) {
  const std::string token = f.Token(user, kPasswords.at(user));
  wire::SyncRequest req;
  req.device_id = "fresh-" + user;
  req.client = "scopes-test";
  req.full_pull = true;
  req.schema_version = schema::kSyncedSchemaVersion;
  req.max_pull_rows = page;
  for (int i = 0; i < 1000; ++i) {
    Reply r = f.RawSync(token, req);
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto resp = wire::DecodeSyncResponse(r.body);
    REQUIRE(resp.ok());
    if (!resp->pull_changeset.empty())
      REQUIRE(
          sql::ApplyChangeset(into, resp->pull_changeset, [](int kind, sqlite3_changeset_iter*) {
            return kind == SQLITE_CHANGESET_NOTFOUND ? sql::ConflictAction::kOmit
                                                     : sql::ConflictAction::kReplace;
          }).ok());
    req.cursor = resp->cursor;
    if (!resp->has_more) return resp->scope_sums;
    CHECK(resp->scope_sums.empty());
  }
  FAIL("the pull never completed");
  return {};
}

}  // namespace

TEST_CASE("Scopes: a complete pull's checksums are the digests of the rows a device pulled") {
  Field f;
  f.Work();
  for (const auto& [user, password] : kPasswords) {
    // A fresh phone: the synced tables and the built-in reference rows.
    auto fresh = sql::Db::Open(":memory:");
    REQUIRE(fresh.ok());
    REQUIRE(fresh->Exec(schema::SyncedTablesSql()).ok());
    REQUIRE(fresh->Exec(schema::ReferenceDataSql()).ok());
    const auto sums = FreshPull(f, user, *fresh, 3);
    REQUIRE(sums.size() == 2);
    CHECK(sums[1].audience == "ref");
    auto library = sql::Db::Open(f.paths[user], false);
    REQUIRE(library.ok());
    for (const auto& check : sums) {
      const wire::ScopeSum pulled = DigestTables(*fresh, TablesOf(check.audience));
      INFO(user << " scope " << check.audience << ": server " << check.sum.rows << " "
                << check.sum.Hex() << ", pulled " << pulled.rows << " " << pulled.Hex());
      CHECK(check.sum == pulled);
      // The device library's own copy, synced through its usual path (its reference
      // tables start from the built-in rows, which the server has logged too).
      const wire::ScopeSum held = DigestTables(*library, TablesOf(check.audience));
      INFO("device library " << held.rows << " " << held.Hex());
      CHECK(check.sum == held);
    }
  }
  // The district's leader sees all 3 live reports; the withdrawn one counts nowhere.
  auto fresh = sql::Db::Open(":memory:");
  REQUIRE(fresh.ok());
  REQUIRE(fresh->Exec(schema::SyncedTablesSql()).ok());
  auto sums = FreshPull(f, "lanhdao", *fresh, 100);
  CHECK(sums[0].audience == "all");
  CHECK(*fresh->QueryText("SELECT count(*) FROM reports") == "3");
}

TEST_CASE("Scopes: a repair pulls one audience the account reads, others are refused") {
  Field f;
  f.Work();
  const std::string token = f.Token("canbo.p04", "mat-khau-p04");
  wire::SyncRequest req;
  req.device_id = "repair-p04";
  req.full_pull = true;
  req.schema_version = schema::kSyncedSchemaVersion;

  req.scope_only = "u:p04";
  Reply own = f.RawSync(token, req);
  REQUIRE(own.status == 200);
  auto resp = wire::DecodeSyncResponse(own.body);
  REQUIRE(resp.ok());
  REQUIRE(resp->scope_sums.size() == 1);
  CHECK(resp->scope_sums[0].audience == "u:p04");
  auto fresh = sql::Db::Open(":memory:");
  REQUIRE(fresh.ok());
  REQUIRE(fresh->Exec(schema::SyncedTablesSql()).ok());
  REQUIRE(sql::ApplyChangeset(*fresh, resp->pull_changeset, [](int, sqlite3_changeset_iter*) {
            return sql::ConflictAction::kOmit;
          }).ok());
  CHECK(*fresh->QueryText("SELECT count(*) FROM units") == "0");  // no reference rows
  CHECK(DigestTables(*fresh, kOwnTables) == resp->scope_sums[0].sum);

  // A lying client: another ward's scope, the district's, another citizen's.
  for (const char* other : {"u:p05", "all", "r:someone"}) {
    req.scope_only = other;
    Reply refused = f.RawSync(token, req);
    INFO(refused.body);
    CHECK(refused.status == 403);
    CHECK_THAT(refused.body, Catch::Contains("does not read the scope"));
    CHECK_THAT(refused.body, Catch::Contains("không được đọc"));
  }
  // A repair that also pushes is refused whole: nothing applied.
  const std::string before =
      ServerDbValue(f.server.data_dir(), "SELECT count(*) FROM applied_batches");
  req.scope_only = "ref";
  req.push.push_back(wire::PushEntry{1, "not even a changeset"});
  Reply mixed = f.RawSync(token, req);
  CHECK(mixed.status == 400);
  CHECK(ServerDbValue(f.server.data_dir(), "SELECT count(*) FROM applied_batches") == before);
}

TEST_CASE("Scopes: drift reports are counted in /metrics and logged, never trusted further") {
  Field f;
  f.Work();
  const std::string token = f.Token("lan", "mat-khau-lan");
  const std::string ref =
      ServerDbValue(f.server.data_dir(), "SELECT reporter_ref FROM users WHERE name = 'lan'");
  wire::SyncRequest req;
  req.device_id = "drifting-lan";
  req.schema_version = schema::kSyncedSchemaVersion;
  req.drift = {{"r:" + ref, 3, true}, {"ref", 1, false}, {"u:p05", 99, false}};
  const std::string sums_before =
      ServerDbValue(f.server.data_dir(), "SELECT sum(row_count) FROM scope_sums");
  REQUIRE(f.RawSync(token, req).status == 200);
  Reply m = Send(f.server.port(), HTTPRequest::HTTP_GET, "/metrics", "", "", "");
  REQUIRE(m.status == 200);
  CHECK_THAT(m.body,
             Catch::Contains("q11_sync_drift_total{scope=\"reporter\",outcome=\"repaired\"} 1"));
  CHECK_THAT(m.body,
             Catch::Contains("q11_sync_drift_total{scope=\"ref\",outcome=\"unrepaired\"} 1"));
  CHECK_THAT(m.body, Catch::Contains("q11_sync_drift_rows_total{scope=\"reporter\"} 3"));
  CHECK_THAT(m.body, Catch::Contains("q11_sync_drift_rows_total{scope=\"ref\"} 1"));
  // u:p05 is not lan's: ignored, so a lying client cannot inflate other scopes' counts.
  CHECK_THAT(m.body, Catch::Contains("q11_sync_drift_rows_total{scope=\"unit\"} 0"));
  CHECK_THAT(m.body, !Catch::Contains(ref));  // bounded labels, never an id
  // Nothing about the data changed.
  CHECK(ServerDbValue(f.server.data_dir(), "SELECT sum(row_count) FROM scope_sums") == sums_before);
  std::ifstream log(f.server.log_file());
  std::stringstream text;
  text << log.rdbuf();
  CHECK_THAT(text.str(), Catch::Contains("scope r:" + ref +
                                         " different from the server's: 3 "
                                         "rows, repaired"));
}

TEST_CASE("Scopes: `syncserver scopes check` finds a kept sum edited behind the server's back") {
  Field f;
  f.Work();
  f.server.Stop();
  auto check = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {SyncserverBin(), "scopes", "check",
                                     "--data=" + f.server.data_dir()};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(WithDatabase(args));
  };
  CommandResult equal = check({});
  INFO(equal.out << equal.err);
  CHECK(equal.exit_code == 0);
  CHECK_THAT(equal.out, Catch::Contains("equal"));
  std::string error;
  REQUIRE(ServerExec(f.server.data_dir(),
                     "UPDATE scope_sums SET row_count = row_count + 1 WHERE audience = 'u:p04'",
                     &error));
  CommandResult differ = check({"--json"});
  INFO(differ.out << differ.err);
  CHECK(differ.exit_code == 1);
  CHECK_THAT(differ.out, Catch::Contains("\"scope\":\"u:p04\""));
  CHECK_THAT(differ.out, Catch::Contains("\"equal\":false"));
  CommandResult fixed = check({"--fix"});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK_THAT(fixed.out, Catch::Contains("DIFFERS / KHÁC: scope u:p04"));
  CHECK(check({}).exit_code == 0);
  // The server goes on from the fixed sums, and its pulls agree with the rows again.
  REQUIRE(f.server.Start());
  auto fresh = sql::Db::Open(":memory:");
  REQUIRE(fresh.ok());
  REQUIRE(fresh->Exec(schema::SyncedTablesSql()).ok());
  auto sums = FreshPull(f, "canbo.p04", *fresh, 100);
  REQUIRE(!sums.empty());
  CHECK(sums[0].sum == DigestTables(*fresh, kOwnTables));
}
