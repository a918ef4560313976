// A phone can be modified: its changesets and tokens are hostile input. Each case plays a
// tampered client against the REAL server process and checks the refusal (a 4xx, or a
// rejected verdict), that nothing was applied (the server's database is read directly),
// and that the server goes on serving an honest device. Then confidentiality: reporters'
// contact details never reach an official's device, nor the server's database in clear.
// Threat model and defences: docs/security.md.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JWT/Signer.h>
#include <Poco/JWT/Token.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <zstd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>

#include "device_helpers.h"
#include "devicecore/account.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
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
  Poco::JSON::Object::Ptr Json() const {
    Poco::JSON::Parser p;
    return p.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string Str(const std::string& key) const { return Json()->getValue<std::string>(key); }
};

Reply Post(int port, const std::string& path, const std::string& body,
           const std::string& token = "", const std::string& type = "application/json",
           const std::string& method = HTTPRequest::HTTP_POST) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  req.setContentType(type);
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ServerValue(const std::string& data_dir, const std::string& sql) {
  return ServerDbValue(data_dir, sql);
}

NewReport Sample(const std::string& ward, const std::string& title) {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = ward;
  r.title = title;
  r.description = "Đèn đường tắt cả tuần, đường tối.";
  return r;
}

// The server with a citizen (and her second role as a victim), two ward officials and
// a leader, each on their own device.
struct Field {
  Field() : server(tmp.File("server")) {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.AddUser("canbo.p05", "mat-khau-p05", "official", "p05"));
    REQUIRE(server.Start());
    lan = Device("lan", "mat-khau-lan");
    minh = Device("minh", "mat-khau-minh");
    p04 = Device("canbo.p04", "mat-khau-p04");
    p05 = Device("canbo.p05", "mat-khau-p05");
  }

  std::unique_ptr<Database> Device(const std::string& user, const std::string& password) {
    paths[user] = tmp.File(user + ".db");
    auto db = Database::Open(paths[user]);
    REQUIRE(db.ok());
    auto http = MakeHttpTransport(server.url(), 10000);
    REQUIRE(http.ok());
    auto login = Login(**db, **http, server.url(), user, password);
    INFO(login.status().ToString());
    REQUIRE(login.ok());
    return std::move(db).value();
  }

  SyncResult SyncOk(Database& db) {
    auto http = MakeHttpTransport(server.url(), 10000);
    REQUIRE(http.ok());
    auto r = Sync(db, **http);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  // A row the server has, planted in a device's file WITHOUT capture: what a modified app
  // does to get a base for a forged UPDATE of a report it was never sent.
  void Plant(const std::string& user, const std::string& report_id) {
    std::string error;
    auto rows = ServerRows(server.data_dir(),
                           "SELECT * FROM reports WHERE id = '" + report_id + "'", &error);
    INFO(error);
    REQUIRE(rows.has_value());
    REQUIRE(rows->size() == 1);
    auto db = sql::Db::Open(paths[user], false);
    REQUIRE(db.ok());
    std::string marks;
    for (size_t i = 0; i < (*rows)[0].size(); ++i) marks += i ? ", ?" : "?";
    auto insert = db->Prepare("INSERT INTO main.reports VALUES (" + marks + ")");
    REQUIRE(insert.ok());
    // As text: the columns' affinity turns numbers back into numbers, as they were.
    for (size_t i = 0; i < (*rows)[0].size(); ++i)
      insert->Bind(static_cast<int>(i + 1), (*rows)[0][i]);
    REQUIRE(insert->Run().ok());
  }

  // One forged change: captured, synced, and expected to be rejected with nothing applied.
  void ExpectRejected(Database& db, const std::string& sql, const std::string& why) {
    const std::string before = Snapshot();
    REQUIRE(db.ExecCaptured(sql).ok());
    SyncResult r = SyncOk(db);
    CHECK(r.rejected == 1);
    CHECK(r.applied == 0);
    INFO(::Catch::Detail::stringify(r.messages));
    REQUIRE(r.messages.size() == 1);
    CHECK_THAT(r.messages[0], Catch::Contains(why));
    CHECK(Snapshot() == before);
    CHECK(ServerValue(server.data_dir(),
                      "SELECT count(*) FROM audit_log WHERE action = 'push.rejected'") == "1");
    StillServing();
  }

  // Every synced row of the server, in one string.
  std::string Snapshot() {
    std::string error;
    auto rows = ServerRows(server.data_dir(),
                           "SELECT x FROM (SELECT id || status || title || "
                           "coalesce(assigned_unit,'') || coalesce(reporter_ref,'') AS x "
                           "FROM reports UNION ALL SELECT id || kind || coalesce(note,'') "
                           "FROM case_events) AS s ORDER BY 1",
                           &error);
    INFO(error);
    REQUIRE(rows.has_value());
    std::string out;
    for (const TextRow& row : *rows) out += row[0].value_or("") + "|";
    return out;
  }

  // An honest device still syncs: the server was not hurt by what came before.
  void StillServing() {
    auto honest = minh->FileReport(Sample("p05", "Vẫn phục vụ"));
    REQUIRE(honest.ok());
    SyncResult r = SyncOk(*minh);
    CHECK(r.applied == 1);
    CHECK(r.rejected == 0);
  }

  std::string Token(const std::string& user, const std::string& password) {
    Reply r = Post(server.port(), "/v1/login",
                   R"({"name":")" + user + R"(","password":")" + password + R"("})");
    REQUIRE(r.status == 200);
    return r.Str("token");
  }

  TempDir tmp;
  ServerProcess server;
  std::map<std::string, std::string> paths;
  std::unique_ptr<Database> lan, minh, p04, p05;
};

std::string SyncBody(const std::string& device_id, std::vector<wire::PushEntry> push) {
  wire::SyncRequest req;
  req.device_id = device_id;
  req.client = "tampering-test";
  req.push = std::move(push);
  return wire::EncodeSyncRequest(req);
}

// The verdicts of a raw sync request.
std::vector<wire::EntryVerdict> RawPush(Field& f, const std::string& token,
                                        const std::string& device_id,
                                        std::vector<wire::PushEntry> push) {
  Reply r = Post(f.server.port(), "/v1/sync", SyncBody(device_id, std::move(push)), token,
                 "application/x-q11-sync");
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto decoded = wire::DecodeSyncResponse(r.body);
  REQUIRE(decoded.ok());
  return decoded->verdicts;
}

// A changeset that inserts one row into `ddl`'s table, made with the session extension.
std::string ForeignChangeset(const std::string& ddl, const std::string& insert,
                             const std::string& table) {
  auto db = sql::Db::Open(":memory:", true);
  REQUIRE(db.ok());
  REQUIRE(db->Exec(ddl).ok());
  auto session = sql::Session::Create(*db, {table});
  REQUIRE(session.ok());
  REQUIRE(db->Exec(insert).ok());
  auto cs = session->Changeset();
  REQUIRE(cs.ok());
  REQUIRE_FALSE(cs->empty());
  return *cs;
}

}  // namespace

TEST_CASE("Tampering: forged changes from a modified phone are rejected whole") {
  Field f;
  auto lan_report = f.lan->FileReport(Sample("p04", "Đèn hỏng ở phường 4"));
  REQUIRE(lan_report.ok());
  auto minh_report = f.minh->FileReport(Sample("p05", "Ngập nước ở phường 5"));
  REQUIRE(minh_report.ok());
  f.SyncOk(*f.lan);
  f.SyncOk(*f.minh);
  f.SyncOk(*f.p04);
  f.SyncOk(*f.p05);
  const std::string& mine = *lan_report;
  const std::string& theirs = *minh_report;
  const std::string minh_ref = ServerValue(
      f.server.data_dir(), "SELECT reporter_ref FROM reports WHERE id = '" + theirs + "'");
  REQUIRE_FALSE(minh_ref.empty());

  SECTION("a citizen changes the status of her own report") {
    f.ExpectRejected(*f.lan, "UPDATE reports SET status = 'resolved' WHERE id = '" + mine + "'",
                     "citizens may only reopen a resolved or closed report");
  }
  SECTION("a citizen files a report as another reporter") {
    f.ExpectRejected(*f.lan,
                     "INSERT INTO reports (id, kind, category_id, ward_id, title, description, "
                     "status, reporter_ref, created_at, updated_at) VALUES "
                     "('0195f000-0000-7000-8000-000000000001', 'phan_anh', 'chieu-sang', 'p04', "
                     "'Giả danh', 'Giả danh người khác', 'new', '" +
                         minh_ref + "', '2026-03-01T00:00:00Z', '2026-03-01T00:00:00Z')",
                     "reporter reference");
  }
  SECTION("a citizen edits another citizen's report") {
    f.Plant("lan", theirs);
    f.ExpectRejected(*f.lan, "UPDATE reports SET title = 'Sửa trộm' WHERE id = '" + theirs + "'",
                     "");
  }
  SECTION("a citizen comments on another citizen's report") {
    f.Plant("lan", theirs);
    f.ExpectRejected(*f.lan,
                     "INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES "
                     "('0195f000-0000-7000-8000-0000000000e1', '" +
                         theirs + "', 'comment', 'Bình luận trộm', '2026-03-01T00:00:00Z')",
                     "");
  }
  SECTION("an official changes a report of another unit") {
    f.Plant("canbo.p04", theirs);  // a p05 report
    f.ExpectRejected(*f.p04, "UPDATE reports SET status = 'accepted' WHERE id = '" + theirs + "'",
                     "outside your unit");
  }
  SECTION("an official skips the workflow (new → closed)") {
    f.ExpectRejected(*f.p04, "UPDATE reports SET status = 'closed' WHERE id = '" + mine + "'",
                     "may not change from new to closed");
  }
  SECTION("an official forges the previous status (resolved → closed on a new report)") {
    // The recipe of issue 13, through q11's own capture: two local changes queued before one
    // sync. The first (a status with a title edit) is refused, but the second was captured
    // on top of it, so its changeset claims 'resolved' as the previous status. The server
    // judges the step from its own row ('new'), not from that claim.
    const std::string before = f.Snapshot();
    REQUIRE(f.p04
                ->ExecCaptured("UPDATE reports SET status = 'resolved', title = 'x' WHERE id = '" +
                               mine + "'")
                .ok());
    REQUIRE(
        f.p04->ExecCaptured("UPDATE reports SET status = 'closed' WHERE id = '" + mine + "'").ok());
    SyncResult r = f.SyncOk(*f.p04);
    CHECK(r.rejected == 2);
    CHECK(r.applied + r.merged == 0);
    INFO(::Catch::Detail::stringify(r.messages));
    REQUIRE(r.messages.size() == 2);
    CHECK_THAT(r.messages[0], Catch::Contains("column title: may not be changed"));
    CHECK_THAT(r.messages[1],
               Catch::Contains("the server's status is new; role official may not move it to "
                               "closed"));
    CHECK(ServerValue(f.server.data_dir(),
                      "SELECT status FROM reports WHERE id = '" + mine + "'") == "new");
    CHECK(f.Snapshot() == before);
    f.StillServing();
  }
  SECTION("an official reopens a closed report (only leaders may)") {
    REQUIRE(f.p04->SetStatus(mine, "accepted", "").ok());
    REQUIRE(f.p04->SetStatus(mine, "in_progress", "").ok());
    REQUIRE(f.p04->SetStatus(mine, "resolved", "Đã xử lý").ok());
    REQUIRE(f.p04->SetStatus(mine, "closed", "").ok());
    CHECK(f.SyncOk(*f.p04).applied == 4);
    f.ExpectRejected(*f.p04, "UPDATE reports SET status = 'in_progress' WHERE id = '" + mine + "'",
                     "may not change from closed to in_progress");
  }
  SECTION("a citizen sends text that is not UTF-8") {
    f.ExpectRejected(*f.lan,
                     "INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES "
                     "('0195f000-0000-7000-8000-0000000000e2', '" +
                         mine + "', 'comment', CAST(X'52C328' AS TEXT), '2026-03-01T00:00:00Z')",
                     "column note: must be valid UTF-8 text");
  }
  SECTION("a citizen sends text with a NUL byte") {
    f.ExpectRejected(*f.lan,
                     "INSERT INTO case_events (id, report_id, kind, note, created_at) VALUES "
                     "('0195f000-0000-7000-8000-0000000000e3', '" +
                         mine + "', 'comment', CAST(X'520063' AS TEXT), '2026-03-01T00:00:00Z')",
                     "column note: must be text without NUL bytes");
  }
  SECTION("a device writes reference data") {
    f.ExpectRejected(*f.p04, "UPDATE units SET name_vi = 'Phường giả' WHERE id = 'p04'", "");
  }
}

TEST_CASE("Tampering: malformed changesets, unknown tables and columns, bombs and sizes") {
  Field f;
  std::string token = f.Token("lan", "mat-khau-lan");
  const std::string device = "0195f000-0000-7000-8000-00000000d001";
  const std::string before = f.Snapshot();

  SECTION("garbage and truncated changesets") {
    auto good = f.lan->FileReport(Sample("p04", "Thật"));
    REQUIRE(good.ok());
    auto raw = sql::Db::Open(f.paths["lan"], false);
    REQUIRE(raw.ok());
    auto st = raw->Prepare("SELECT changeset FROM outbox ORDER BY seq DESC LIMIT 1");
    REQUIRE(st.ok());
    REQUIRE(*st->Step());
    const std::string real = st->Blob(0);
    REQUIRE(real.size() > 20);
    auto v = RawPush(f, token, device,
                     {{1, "\x12\x34garbage"},
                      {2, real.substr(0, real.size() / 2)},
                      {3, std::string("T\x02\x01\x00", 4)},
                      {4, std::string(1000, '\xff')}});
    REQUIRE(v.size() == 4);
    for (const auto& e : v) {
      INFO(e.message);
      CHECK(e.verdict == wire::Verdict::kRejected);
    }
  }
  SECTION("a changeset for a table the server does not sync") {
    auto v = RawPush(f, token, device,
                     {{1, ForeignChangeset("CREATE TABLE users (id TEXT PRIMARY KEY, role TEXT)",
                                           "INSERT INTO users VALUES ('x', 'admin')", "users")}});
    REQUIRE(v.size() == 1);
    CHECK(v[0].verdict == wire::Verdict::kRejected);
    CHECK_THAT(v[0].message, Catch::Contains("unknown table users"));
    CHECK(ServerValue(f.server.data_dir(), "SELECT count(*) FROM users WHERE id = 'x'") == "0");
  }
  SECTION("a changeset with a column the server does not have") {
    auto v = RawPush(
        f, token, device,
        {{1, ForeignChangeset("CREATE TABLE case_events (id TEXT PRIMARY KEY NOT NULL, report_id, "
                              "kind, status, note, unit_id, author_ref, author_role, created_at, "
                              "stars, secret)",
                              "INSERT INTO case_events VALUES ('e1', 'r1', 'comment', NULL, 'x', "
                              "NULL, NULL, NULL, '2026-03-01T00:00:00Z', NULL, 'x')",
                              "case_events")}});
    REQUIRE(v.size() == 1);
    CHECK(v[0].verdict == wire::Verdict::kRejected);
    CHECK_THAT(v[0].message, Catch::Contains("columns"));
  }
  SECTION("a body over the cap is refused before it is read") {
    Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(f.server.port()));
    HTTPRequest req(HTTPRequest::HTTP_POST, "/v1/sync", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    req.setContentType("application/x-q11-sync");
    req.setContentLength(1LL << 30);
    s.sendRequest(req);  // and no body: the answer must come without it
    Poco::Net::HTTPResponse resp;
    s.receiveResponse(resp);
    CHECK(resp.getStatus() == 413);
  }
  SECTION("a zip bomb: a section declaring more than the decoder allows") {
    std::string zeros(8u << 20, '\0');
    std::string frame(ZSTD_compressBound(zeros.size()), '\0');
    frame.resize(ZSTD_compress(frame.data(), frame.size(), zeros.data(), zeros.size(), 3));
    auto put32 = [](std::string& out, uint32_t v) {
      for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
    };
    for (uint32_t declared : {uint32_t{1024}, uint32_t{1u << 31}}) {
      std::string body = "Q11S";
      body += '\x01';                      // version
      body += '\x01';                      // sync request
      body += std::string("\x01\x00", 2);  // one section
      body += '\x02';                      // push
      body += '\x01';                      // zstd
      body += std::string(2, '\0');
      put32(body, declared);  // raw length: a lie either way
      put32(body, static_cast<uint32_t>(frame.size()));
      put32(body, 0);  // CRC (never reached)
      body += frame;
      Reply r = Post(f.server.port(), "/v1/sync", body, token, "application/x-q11-sync");
      INFO(r.body);
      CHECK((r.status == 400 || r.status == 413));
      CHECK_FALSE(r.Str("message_vi").empty());
    }
  }
  CHECK(f.Snapshot() == before);
  f.StillServing();
}

TEST_CASE("Tampering: forged, expired and wrong-key tokens - replayed refresh tokens") {
  Field f;
  int port = f.server.port();
  std::string body = SyncBody("0195f000-0000-7000-8000-00000000d002", {});
  auto sync_status = [&](const std::string& token) {
    return Post(port, "/v1/sync", body, token, "application/x-q11-sync").status;
  };
  Reply login = Post(port, "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})");
  REQUIRE(login.status == 200);
  std::string good = login.Str("token");
  CHECK(sync_status(good) == 200);

  // Signed with another key, claiming to be an admin.
  Poco::JWT::Token forged;
  forged.setSubject(login.Str("user_id"));
  forged.payload().set("role", std::string("admin"));
  forged.payload().set("exp", static_cast<Poco::Int64>(4102444800));
  std::string wrong_key = Poco::JWT::Signer(std::string(32, 'w')).sign(forged, "HS256");
  CHECK(sync_status(wrong_key) == 401);
  // The real token with its payload swapped (signature no longer matches).
  std::string header = good.substr(0, good.find('.'));
  std::string signature = good.substr(good.rfind('.'));
  std::string mid = wrong_key.substr(wrong_key.find('.') + 1);
  mid = mid.substr(0, mid.find('.'));
  CHECK(sync_status(header + "." + mid + signature) == 401);
  // alg none.
  CHECK(sync_status("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + mid + ".") == 401);
  CHECK(sync_status("not.a.token") == 401);
  CHECK(sync_status("") == 401);

  // Expired: a second server that issues 2-second tokens, on a clock the test moves.
  {
    ServerProcess short_lived(f.tmp.File("short"));
    REQUIRE(short_lived.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(
        short_lived.Start({"--access-ttl-seconds=2", "--clock-file=" + f.tmp.File("short.clock")}));
    Reply l = Post(short_lived.port(), "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})");
    REQUIRE(l.status == 200);
    CHECK(l.Json()->getValue<int>("expires_in") == 2);
    CHECK(Post(short_lived.port(), "/v1/sync", body, l.Str("token"), "application/x-q11-sync")
              .status == 200);
    REQUIRE(short_lived.AdvanceClock(std::chrono::milliseconds(3100)));
    Reply late =
        Post(short_lived.port(), "/v1/sync", body, l.Str("token"), "application/x-q11-sync");
    CHECK(late.status == 401);
    CHECK_THAT(late.Str("message"), Catch::Contains("expired"));
    // A token of this server is worthless on the other one (another signing key).
    Reply other =
        Post(short_lived.port(), "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})");
    CHECK(sync_status(other.Str("token")) == 401);
  }

  // Rotation, the session goes on, then the first refresh token replayed: the family dies,
  // the newest token too. (A replay while its child is still unused is a retry after a
  // lost answer: security_test.cc.)
  std::string r1 = login.Str("refresh_token");
  Reply second = Post(port, "/v1/refresh", R"({"refresh_token":")" + r1 + R"("})");
  REQUIRE(second.status == 200);
  CHECK(sync_status(second.Str("token")) == 200);
  Reply third =
      Post(port, "/v1/refresh", R"({"refresh_token":")" + second.Str("refresh_token") + R"("})");
  REQUIRE(third.status == 200);
  std::string r3 = third.Str("refresh_token");
  CHECK(Post(port, "/v1/refresh", R"({"refresh_token":")" + r1 + R"("})").status == 401);
  CHECK(Post(port, "/v1/refresh", R"({"refresh_token":")" + r3 + R"("})").status == 401);
  f.StillServing();
  // Refusals are counted in memory and written once a minute, or when the server stops.
  f.server.Stop();
  CHECK(ServerValue(f.server.data_dir(),
                    "SELECT count(*) FROM audit_log WHERE action = 'http.refused'") != "0");
}

TEST_CASE("Tampering: a disabled account is refused at login, refresh and sync") {
  Field f;
  Reply login = Post(f.server.port(), "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})");
  REQUIRE(login.status == 200);
  CommandResult r =
      Run({SyncserverBin(), "user", "disable", "--data=" + f.server.data_dir(), "--name=lan"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(Post(f.server.port(), "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})").status ==
        403);
  CHECK(Post(f.server.port(), "/v1/refresh",
             R"({"refresh_token":")" + login.Str("refresh_token") + R"("})")
            .status == 401);
  CHECK(Post(f.server.port(), "/v1/sync", SyncBody("0195f000-0000-7000-8000-00000000d003", {}),
             login.Str("token"), "application/x-q11-sync")
            .status == 403);
  f.StillServing();

  SECTION("user enable lets the account log in again, the old session stays revoked") {
    CommandResult e =
        Run({SyncserverBin(), "user", "enable", "--data=" + f.server.data_dir(), "--name=lan"});
    INFO(e.err);
    REQUIRE(e.exit_code == 0);
    CHECK_THAT(e.out, Catch::Contains("enabled lan"));
    CHECK(
        Post(f.server.port(), "/v1/login", R"({"name":"lan","password":"mat-khau-lan"})").status ==
        200);
    CHECK(Post(f.server.port(), "/v1/refresh",
               R"({"refresh_token":")" + login.Str("refresh_token") + R"("})")
              .status == 401);
  }
}

TEST_CASE("Confidentiality: contact details reach no official's device, nor the DB in clear") {
  Field f;
  const std::string phone = "+84987654321", email = "hoa.tran@example.vn";
  Reply reg = Post(f.server.port(), "/v1/register",
                   R"({"name":"hoa.tran","password":"mat-khau-hoa","phone":")" + phone +
                       R"(","email":")" + email + R"("})");
  INFO(reg.body);
  REQUIRE(reg.status == 201);
  auto hoa = f.Device("hoa.tran", "mat-khau-hoa");
  auto report = hoa->FileReport(Sample("p04", "Rác tồn đọng"));
  REQUIRE(report.ok());
  REQUIRE(hoa->AddComment(*report, "Gọi cho tôi nếu cần").ok());
  f.SyncOk(*hoa);
  f.SyncOk(*f.p04);
  REQUIRE(f.p04->SetStatus(*report, "accepted", "Đã tiếp nhận").ok());
  f.SyncOk(*f.p04);
  f.SyncOk(*f.p04);
  f.SyncOk(*f.p05);
  f.SyncOk(*hoa);

  auto shown = f.p04->GetReport(*report);
  REQUIRE(shown.ok());
  CHECK(shown->status == "accepted");
  for (const char* user : {"canbo.p04", "canbo.p05", "hoa.tran"}) {
    std::string bytes = ReadFileBytes(f.paths[user]) + ReadFileBytes(f.paths[user] + "-wal");
    INFO(user);
    CHECK(bytes.find(phone) == std::string::npos);
    CHECK(bytes.find(email) == std::string::npos);
  }
  std::string server_bytes;
  if (PostgresBackend()) {  // every value of the tables that could hold it, as text
    std::string error;
    for (const char* sql : {"SELECT * FROM contacts", "SELECT * FROM users"}) {
      auto rows = ServerRows(f.server.data_dir(), sql, &error);
      REQUIRE(rows.has_value());
      for (const TextRow& row : *rows)
        for (const auto& v : row) server_bytes += v.value_or("") + "\n";
    }
    REQUIRE(!server_bytes.empty());
  } else {
    const std::string db = f.server.data_dir() + "/syncserver.db";
    server_bytes = ReadFileBytes(db) + ReadFileBytes(db + "-wal");
  }
  CHECK(server_bytes.find(phone) == std::string::npos);
  CHECK(server_bytes.find(email) == std::string::npos);

  // The CLI reads it (the key is outside the database) and audits the read.
  CommandResult r =
      Run({SyncserverBin(), "user", "contact", "--data=" + f.server.data_dir(), "--name=hoa.tran"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains(phone));
  CHECK_THAT(r.out, Catch::Contains(email));
  CHECK(ServerValue(f.server.data_dir(),
                    "SELECT count(*) FROM audit_log WHERE action = 'contact.read' AND "
                    "subject = 'user/hoa.tran'") == "1");
}

TEST_CASE("Read rules: a report reassigned away leaves the old unit's device, history and all") {
  Field f;
  REQUIRE(f.server.AddUser("canbo.q11", "mat-khau-q11", "official", "q11"));
  auto district = f.Device("canbo.q11", "mat-khau-q11");
  auto report = f.lan->FileReport(Sample("p04", "Đèn đường hỏng"));
  REQUIRE(report.ok());
  {
    // A photo row travels with the report (its bytes are not the point here).
    std::ofstream(f.tmp.File("den.jpg"), std::ios::binary) << "\xFF\xD8\xFF\xE0 JPEG-ish bytes";
    REQUIRE(AttachPhotos(*f.lan, *report, {f.tmp.File("den.jpg")}).ok());
  }
  f.SyncOk(*f.lan);
  f.SyncOk(*f.p04);
  REQUIRE(f.p04->AssignUnit(*report, "p05", "Chuyển phường 5 xử lý").ok());
  f.SyncOk(*f.p04);
  f.SyncOk(*f.p05);
  auto at_p05 = f.p05->GetReport(*report);
  REQUIRE(at_p05.ok());
  CHECK(at_p05->assigned_unit == std::optional<std::string>("p05"));
  CHECK(at_p05->events.size() == 1);

  f.SyncOk(*district);
  REQUIRE(district->AssignUnit(*report, "phong-qldt", "Phòng Quản lý đô thị xử lý").ok());
  f.SyncOk(*district);
  f.SyncOk(*f.p05);
  f.SyncOk(*f.p04);
  f.SyncOk(*f.lan);

  // Gone from p05's device, with its case events; the ward and the citizen keep it all.
  CHECK_FALSE(f.p05->GetReport(*report).ok());
  CHECK(f.p05->ListReports()->empty());
  auto raw = sql::Db::Open(f.paths["canbo.p05"], false);
  REQUIRE(raw.ok());
  CHECK(raw->QueryText("SELECT count(*) FROM case_events")->value_or("") == "0");
  CHECK(raw->QueryText("SELECT count(*) FROM photos")->value_or("") == "0");
  for (Database* db : {f.p04.get(), f.lan.get(), district.get()}) {
    auto shown = db->GetReport(*report);
    REQUIRE(shown.ok());
    CHECK(shown->assigned_unit == std::optional<std::string>("phong-qldt"));
    CHECK(shown->events.size() == 2);
    CHECK(ListPhotos(*db, *report)->size() == 1);
  }
  // Nothing waits or was refused anywhere.
  for (Database* db : {f.p04.get(), f.p05.get(), f.lan.get(), district.get()})
    CHECK(*db->OutboxCount() == 0);
}

TEST_CASE("Read rules: citizens see other citizens' reports of a ward, nothing about who filed") {
  Field f;
  auto report = f.lan->FileReport(Sample("p04", "Đèn trước nhà số 12 hỏng"));
  REQUIRE(report.ok());
  f.SyncOk(*f.lan);
  f.SyncOk(*f.p04);
  REQUIRE(f.p04->SetStatus(*report, "accepted", "Đã tiếp nhận, giao đội chiếu sáng").ok());
  f.SyncOk(*f.p04);
  auto lan = f.lan->GetAccount();
  REQUIRE(lan.ok());
  Reply minh = Post(f.server.port(), "/v1/login", R"({"name":"minh","password":"mat-khau-minh"})");
  REQUIRE(minh.status == 200);
  auto get = [&](const std::string& path, const std::string& token) {
    return Post(f.server.port(), path, "", token, "application/json", HTTPRequest::HTTP_GET);
  };

  Reply list = get("/v1/public/reports?ward=p04", minh.Str("token"));
  INFO(list.body);
  REQUIRE(list.status == 200);
  auto reports = list.Json()->getArray("reports");
  REQUIRE(reports->size() == 1);
  auto r = reports->getObject(0);
  CHECK(r->getValue<std::string>("status") == "accepted");
  CHECK(r->getObject("category")->getValue<std::string>("id") == "chieu-sang");
  CHECK(r->getArray("history")->size() == 1);
  // Nothing that could lead to the reporter: no pseudonym, no words of theirs, no receipt.
  CHECK(list.body.find(lan->reporter_ref) == std::string::npos);
  CHECK(list.body.find("reporter") == std::string::npos);
  CHECK(list.body.find("Đèn trước nhà") == std::string::npos);
  CHECK(list.body.find("Đèn đường tắt") == std::string::npos);
  CHECK(list.body.find("receipt") == std::string::npos);
  // Minh's own sync still brings him only his own reports.
  f.SyncOk(*f.minh);
  CHECK(f.minh->ListReports()->empty());

  CHECK(get("/v1/public/reports?ward=p04", "").status == 401);
  CHECK(get("/v1/public/reports?ward=nowhere", minh.Str("token")).status == 400);
  CHECK(get("/v1/public/reports?ward=p04&limit=0", minh.Str("token")).status == 400);
  CHECK(get("/v1/public/reports?ward=p05", minh.Str("token")).Json()->getArray("reports")->size() ==
        0);
  f.StillServing();
}
