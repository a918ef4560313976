// Accounts and tokens over real HTTP (in-process server on a loopback port): sign-up,
// login, refresh rotation and reuse, logout, disabled accounts, contact reads and who may
// make them, rate limits with Retry-After, the audit trail, and Poco's header limits.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/StreamCopier.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>

#include "auth/accounts.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "syncserver/server.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using Poco::Net::HTTPRequest;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  std::string retry_after;
  Poco::JSON::Object::Ptr Json() const {
    Poco::JSON::Parser p;
    return p.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string Str(const std::string& key) const { return Json()->getValue<std::string>(key); }
};

Reply Send(uint16_t port, const std::string& method, const std::string& path,
           const std::string& body = "", const std::string& token = "", int extra_headers = 0) {
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  if (!token.empty()) req.set("Authorization", "Bearer " + token);
  for (int i = 0; i < extra_headers; ++i) req.set("X-Filler-" + std::to_string(i), "x");
  if (method == HTTPRequest::HTTP_POST) {
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
  }
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Reply r;
  r.status = resp.getStatus();
  r.retry_after = resp.get("Retry-After", "");
  Poco::StreamCopier::copyToString(in, r.body);
  return r;
}

struct Running {
  explicit Running(int login_per_minute = 0, int register_per_hour = 0, int access_ttl = 900,
                   int sync_per_minute = 0) {
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o;
    o.data_dir = dir.path() + "/data";
    o.port = 0;
    o.log_requests = false;
    o.login_per_minute = login_per_minute;
    o.register_per_hour = register_per_hour;
    o.token_ttl_seconds = access_ttl;
    o.sync_per_minute = sync_per_minute;
    // Real time plus what the test has moved it by: the server's own clock seam.
    o.clock_ms = [skew = skew_ms] {
      return std::chrono::duration_cast<std::chrono::milliseconds>(
                 std::chrono::system_clock::now().time_since_epoch())
                 .count() +
             skew->load();
    };
    auto s = Server::Start(o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    server = std::move(*s);
    for (auto [name, role] : {std::pair{"admin", Role::kAdmin}, std::pair{"lanhdao", Role::kLeader},
                              std::pair{"minh", Role::kCitizen}}) {
      auto a = CreateAccount(server->store(),
                             NewAccount{name, std::string(name) + "-2026", role, ""}, kNowMs, 1000);
      REQUIRE(a.ok());
    }
    REQUIRE(CreateAccount(server->store(),
                          NewAccount{"canbo.p04", "canbo-2026", Role::kOfficial, "p04"}, kNowMs,
                          1000)
                .ok());
  }
  uint16_t port() const { return server->port(); }
  // Moves the server's clock forward (tokens expire, windows pass) without waiting.
  void AdvanceClock(std::chrono::milliseconds by) { *skew_ms += by.count(); }
  Reply Login(const std::string& name, const std::string& pw) {
    return Send(port(), "POST", "/v1/login",
                R"({"name":")" + name + R"(","password":")" + pw + R"("})");
  }
  // Audit rows with this action, as "actor subject" lines.
  std::vector<std::string> Audit(const std::string& action) {
    auto db = sql::Db::Open(dir.path() + "/data/syncserver.db", false);
    REQUIRE(db.ok());
    auto st =
        db->Prepare("SELECT actor || ' ' || subject FROM audit_log WHERE action = ?1 ORDER BY id");
    REQUIRE(st.ok());
    st->Bind(1, action);
    std::vector<std::string> out;
    while (*st->Step()) out.push_back(st->Text(0));
    return out;
  }

  // Aggregated refusals with this action, as "reason count" lines.
  std::vector<std::string> AuditCounts(const std::string& action) {
    auto db = sql::Db::Open(dir.path() + "/data/syncserver.db", false);
    REQUIRE(db.ok());
    auto st = db->Prepare(
        "SELECT json_extract(details, '$.reason') || ' ' || json_extract(details, '$.count') "
        "FROM audit_log WHERE action = ?1 ORDER BY 1");
    REQUIRE(st.ok());
    st->Bind(1, action);
    std::vector<std::string> out;
    while (*st->Step()) out.push_back(st->Text(0));
    return out;
  }

  std::shared_ptr<std::atomic<int64_t>> skew_ms = std::make_shared<std::atomic<int64_t>>(0);
  TempDir dir;
  std::unique_ptr<Server> server;
};

std::string Refresh(const std::string& token) { return R"({"refresh_token":")" + token + R"("})"; }

}  // namespace

TEST_CASE("Auth HTTP: sign-up gives a session - contact sealed - bad input 400, taken 409") {
  Running srv;
  Reply r = Send(
      srv.port(), "POST", "/v1/register",
      R"({"name":"lan.nguyen","password":"mat-khau-1","phone":"+84901234567","email":"lan@example.vn"})");
  INFO(r.body);
  REQUIRE(r.status == 201);
  auto j = r.Json();
  CHECK(j->getValue<std::string>("role") == "citizen");
  CHECK(j->getValue<std::string>("name") == "lan.nguyen");
  CHECK(j->getValue<int>("expires_in") == 900);
  CHECK(j->getValue<std::string>("refresh_token").size() == 64);
  CHECK_THAT(j->getValue<std::string>("reporter_ref"), Catch::StartsWith("cd-"));
  CHECK(Send(srv.port(), "POST", "/v1/login", R"({"name":"lan.nguyen","password":"mat-khau-1"})")
            .status == 200);

  CHECK(Send(srv.port(), "POST", "/v1/register", R"({"name":"lan.nguyen","password":"khac-1234"})")
            .status == 409);
  // A taken name with a contact: the contact stored before the account is taken back, so
  // the vault holds exactly the one contact of the one account that signed up with one.
  CHECK(Send(srv.port(), "POST", "/v1/register",
             R"({"name":"lan.nguyen","password":"khac-1234","phone":"0909999999"})")
            .status == 409);
  {
    auto db = sql::Db::Open(srv.dir.path() + "/data/syncserver.db", false);
    REQUIRE(db.ok());
    CHECK(db->QueryText("SELECT count(*) FROM contacts")->value_or("") == "1");
    CHECK(db->QueryText("SELECT count(*) FROM contacts WHERE user_id NOT IN (SELECT id FROM users)")
              ->value_or("") == "0");
  }
  for (const char* bad : {
           R"({"name":"ab","password":"mat-khau-1"})",                 // name too short
           R"({"name":"Lan","password":"mat-khau-1"})",                // uppercase
           R"({"name":"lan van","password":"mat-khau-1"})",            // space
           R"({"name":"lan2","password":"short"})",                    // password < 8
           R"({"name":"lan2","password":"mat-khau-1","phone":"12"})",  // phone too short
           R"({"name":"lan2","password":"mat-khau-1","phone":"09012345ab"})",
           R"({"name":"lan2","password":"mat-khau-1","email":"no-at-sign"})",
           R"({"name":"lan2","password":5})",
           R"([1,2])",
           R"(not json)",
       }) {
    INFO(bad);
    Reply b = Send(srv.port(), "POST", "/v1/register", bad);
    CHECK(b.status == 400);
    CHECK(b.Str("error") == "invalid_argument");
    CHECK_FALSE(b.Str("message_vi").empty());
  }
  CHECK(srv.Audit("account.registered").size() == 1);
}

TEST_CASE("Auth HTTP: refresh rotates - a replayed refresh token revokes the family") {
  Running srv;
  Reply login = srv.Login("minh", "minh-2026");
  REQUIRE(login.status == 200);
  std::string r1 = login.Str("refresh_token");

  Reply second = Send(srv.port(), "POST", "/v1/refresh", Refresh(r1));
  REQUIRE(second.status == 200);
  std::string r2 = second.Str("refresh_token");
  CHECK(r2 != r1);
  CHECK(second.Str("user_id") == login.Str("user_id"));
  CHECK(second.Json()->getValue<Poco::Int64>("refresh_expires_in") == 30 * 24 * 3600);
  // The new access token works.
  CHECK(Send(srv.port(), "GET", "/v1/admin/conflicts", "", second.Str("token")).status == 403);

  // The session goes on with r2; then r1 comes back although its child was used: a reuse.
  Reply third = Send(srv.port(), "POST", "/v1/refresh", Refresh(r2));
  REQUIRE(third.status == 200);
  Reply replay = Send(srv.port(), "POST", "/v1/refresh", Refresh(r1));
  CHECK(replay.status == 401);
  CHECK(replay.Str("error") == "unauthenticated");
  CHECK(Send(srv.port(), "POST", "/v1/refresh", Refresh(third.Str("refresh_token"))).status ==
        401);  // family revoked
  CHECK(Send(srv.port(), "POST", "/v1/refresh", Refresh("00ff")).status == 401);
  CHECK(Send(srv.port(), "POST", "/v1/refresh", "{}").status == 400);
  // A fresh login still works: reuse revokes a family, not the account.
  CHECK(srv.Login("minh", "minh-2026").status == 200);
  CHECK(srv.Audit("refresh.refused").size() == 3);
}

TEST_CASE("Auth HTTP: logout revokes its family - needs the access token") {
  Running srv;
  Reply login = srv.Login("minh", "minh-2026");
  REQUIRE(login.status == 200);
  std::string refresh = login.Str("refresh_token");
  CHECK(Send(srv.port(), "POST", "/v1/logout", Refresh(refresh)).status == 401);
  Reply out = Send(srv.port(), "POST", "/v1/logout", Refresh(refresh), login.Str("token"));
  CHECK(out.status == 204);
  CHECK(Send(srv.port(), "POST", "/v1/refresh", Refresh(refresh)).status == 401);
  CHECK(srv.Audit("logout").size() == 1);
}

TEST_CASE("Auth HTTP: an expired access token is refused - refresh gets a new one") {
  Running srv(0, 0, /*access_ttl=*/1);
  Reply login = srv.Login("minh", "minh-2026");
  REQUIRE(login.status == 200);
  CHECK(login.Json()->getValue<int>("expires_in") == 1);
  srv.AdvanceClock(std::chrono::milliseconds(2100));
  Reply late = Send(srv.port(), "GET", "/v1/admin/conflicts", "", login.Str("token"));
  CHECK(late.status == 401);
  CHECK_THAT(late.Str("message"), Catch::Contains("expired"));
  Reply again = Send(srv.port(), "POST", "/v1/refresh", Refresh(login.Str("refresh_token")));
  REQUIRE(again.status == 200);
  CHECK(Send(srv.port(), "GET", "/v1/admin/conflicts", "", again.Str("token")).status == 403);
}

TEST_CASE("Auth HTTP: contact details only for admins and leaders, every read audited") {
  Running srv;
  REQUIRE(
      Send(
          srv.port(), "POST", "/v1/register",
          R"({"name":"hoa","password":"mat-khau-1","phone":"0907654321","email":"hoa@example.vn"})")
          .status == 201);
  std::string path = "/v1/admin/users/hoa/contact";
  std::string admin = srv.Login("admin", "admin-2026").Str("token");
  std::string leader = srv.Login("lanhdao", "lanhdao-2026").Str("token");
  std::string official = srv.Login("canbo.p04", "canbo-2026").Str("token");
  std::string citizen = srv.Login("minh", "minh-2026").Str("token");

  Reply a = Send(srv.port(), "GET", path, "", admin);
  INFO(a.body);
  REQUIRE(a.status == 200);
  CHECK(a.Str("phone") == "0907654321");
  CHECK(a.Str("email") == "hoa@example.vn");
  CHECK(Send(srv.port(), "GET", path, "", leader).status == 200);
  CHECK(Send(srv.port(), "GET", path, "", official).status == 403);
  CHECK(Send(srv.port(), "GET", path, "", citizen).status == 403);
  CHECK(Send(srv.port(), "GET", path).status == 401);
  CHECK(Send(srv.port(), "GET", "/v1/admin/users/nobody/contact", "", admin).status == 404);
  CHECK(Send(srv.port(), "POST", path, "{}", admin).status == 405);
  CHECK(srv.Audit("contact.read") ==
        std::vector<std::string>{"admin user/hoa", "lanhdao user/hoa"});
  // The 403s and the 401 are in the trail too, counted per address and status and
  // written once per window (or when the server stops).
  srv.server->Stop();
  CHECK(srv.Audit("http.refused") ==
        std::vector<std::string>{"- address/127.0.0.1", "- address/127.0.0.1"});
  CHECK(srv.AuditCounts("http.refused") == std::vector<std::string>{"401 1", "403 2"});
}

TEST_CASE("Auth HTTP: login rate limit per address answers 429 with Retry-After - audited") {
  Running srv(/*login_per_minute=*/3);
  for (int i = 0; i < 3; ++i) CHECK(srv.Login("minh", "sai-mat-khau").status == 401);
  Reply limited = srv.Login("minh", "minh-2026");
  CHECK(limited.status == 429);
  CHECK(limited.Str("error") == "resource_exhausted");
  CHECK(std::stoi(limited.retry_after) >= 1);
  CHECK(srv.Audit("login.failed").size() == 3);
  srv.server->Stop();  // writes the refusals counted in memory
  CHECK(srv.AuditCounts("http.refused") == std::vector<std::string>{"401 3", "429 1"});
}

TEST_CASE("Auth HTTP: sign-up rate limit per address") {
  Running srv(0, /*register_per_hour=*/2);
  CHECK(Send(srv.port(), "POST", "/v1/register", R"({"name":"abc1","password":"mat-khau-1"})")
            .status == 201);
  CHECK(Send(srv.port(), "POST", "/v1/register", R"({"name":"x","password":"y"})").status == 400);
  Reply r = Send(srv.port(), "POST", "/v1/register", R"({"name":"abc2","password":"mat-khau-1"})");
  CHECK(r.status == 429);
  CHECK_FALSE(r.retry_after.empty());
}

TEST_CASE("Auth HTTP: sync rate limit per account, other accounts unaffected") {
  Running srv(0, 0, 900, /*sync_per_minute=*/2);
  auto sync = [&](const std::string& token, const std::string& device) {
    Poco::Net::HTTPClientSession s("127.0.0.1", srv.port());
    HTTPRequest r(HTTPRequest::HTTP_POST, "/v1/sync", Poco::Net::HTTPMessage::HTTP_1_1);
    r.set("Authorization", "Bearer " + token);
    r.setContentType("application/x-q11-sync");
    wire::SyncRequest q;
    q.device_id = device;
    std::string b = wire::EncodeSyncRequest(q);
    r.setContentLength(static_cast<std::streamsize>(b.size()));
    s.sendRequest(r) << b;
    Poco::Net::HTTPResponse resp;
    std::string ignored;
    Poco::StreamCopier::copyToString(s.receiveResponse(resp), ignored);
    return std::pair<int, std::string>(resp.getStatus(), resp.get("Retry-After", ""));
  };
  std::string minh = srv.Login("minh", "minh-2026").Str("token");
  std::string admin = srv.Login("admin", "admin-2026").Str("token");
  CHECK(sync(minh, "dev-minh").first == 200);
  CHECK(sync(minh, "dev-minh").first == 200);
  auto limited = sync(minh, "dev-minh");
  CHECK(limited.first == 429);
  CHECK(std::stoi(limited.second) >= 1);
  CHECK(sync(admin, "dev-admin").first == 200);
}

TEST_CASE("Auth HTTP: too many header fields is a 400, and the server keeps serving") {
  Running srv;
  Reply r = Send(srv.port(), "GET", "/healthz", "", "", /*extra_headers=*/150);
  CHECK(r.status == 400);
  CHECK(Send(srv.port(), "GET", "/healthz").status == 200);
}

TEST_CASE("Auth HTTP: --tls-cert/--tls-key serve HTTPS (self-signed certificate made here)") {
  TempDir dir;
  std::string cert = dir.path() + "/cert.pem", key = dir.path() + "/key.pem";
  std::string cmd =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 "
      "-keyout " +
      key + " -out " + cert + " >/dev/null 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.port = 0;
  o.log_requests = false;
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  auto s = Server::Start(o);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  uint16_t port = (*s)->port();

  // The test trusts its own certificate by not verifying it (it is self-signed).
  Poco::Net::Context::Ptr client = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "",
                                                          "", "", Poco::Net::Context::VERIFY_NONE);
  Poco::Net::HTTPSClientSession https("127.0.0.1", port, client);
  HTTPRequest req(HTTPRequest::HTTP_GET, "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
  https.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(https.receiveResponse(resp), body);
  CHECK(resp.getStatus() == 200);
  CHECK_THAT(body, Catch::Contains("ok"));

  // Plain HTTP to the TLS port gets no answer.
  Poco::Net::HTTPClientSession plain("127.0.0.1", port);
  plain.setTimeout(Poco::Timespan(2, 0));
  bool answered = false;
  try {
    HTTPRequest r2(HTTPRequest::HTTP_GET, "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
    plain.sendRequest(r2);
    Poco::Net::HTTPResponse resp2;
    plain.receiveResponse(resp2);
    answered = resp2.getStatus() == 200;
  } catch (const Poco::Exception&) {
  }
  CHECK_FALSE(answered);

  ServerOptions half = o;
  half.tls_key_file.clear();
  CHECK(Server::Start(half).status().code() == StatusCode::kInvalidArgument);
}
