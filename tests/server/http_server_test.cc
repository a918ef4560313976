// The real HTTP server, started in-process on 127.0.0.1 port 0 with a temp data folder,
// talked to with Poco's HTTP client over loopback.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>

#include "auth/accounts.h"
#include "protocol/sync_messages.h"
#include "server_test_support.h"
#include "syncserver/server.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;
using Poco::Net::HTTPRequest;

namespace {

struct Reply {
  int status = 0;
  std::string content_type;
  std::string body;
  Poco::JSON::Object::Ptr Json() const {
    Poco::JSON::Parser p;
    return p.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
};

class Client {
 public:
  explicit Client(uint16_t port) : port_(port) {}

  Reply Send(const std::string& method, const std::string& path, const std::string& body = "",
             const std::string& token = "", const std::string& type = "application/json") {
    Poco::Net::HTTPClientSession s("127.0.0.1", port_);
    HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    if (method == HTTPRequest::HTTP_POST) {
      req.setContentType(type);
      req.setContentLength(static_cast<std::streamsize>(body.size()));
    }
    s.sendRequest(req) << body;
    return Receive(s);
  }

  static Reply Receive(Poco::Net::HTTPClientSession& s) {
    Poco::Net::HTTPResponse resp;
    std::istream& in = s.receiveResponse(resp);
    Reply r;
    r.status = resp.getStatus();
    r.content_type = resp.getContentType();
    Poco::StreamCopier::copyToString(in, r.body);
    return r;
  }

  uint16_t port() const { return port_; }

 private:
  uint16_t port_;
};

struct Running {
  explicit Running(int threads = 16, int refused_entries_per_hour = 0) {
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o;
    o.threads = threads;
    o.data_dir = dir.path() + "/data";  // created by the server
    o.port = 0;
    o.log_requests = false;
    o.max_body_bytes = 64 * 1024;
    // These tests log in far more often than a person does; auth_http_test.cc tests the
    // limits.
    o.login_per_minute = 0;
    o.sync_per_minute = 0;
    o.refused_entries_per_hour = refused_entries_per_hour;
    auto s = Server::Start(o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    server = std::move(*s);
    auto a = CreateAccount(server->store(), NewAccount{"lan", "lan-2026", Role::kCitizen, ""},
                           kNowMs, 1000);
    REQUIRE(a.ok());
    citizen = *a;
    auto b = CreateAccount(server->store(), NewAccount{"minh", "minh-2026", Role::kCitizen, ""},
                           kNowMs, 1000);
    REQUIRE(b.ok());
  }
  std::string Login(const std::string& name, const std::string& password) {
    Reply r = Client(server->port())
                  .Send("POST", "/v1/login",
                        R"({"name":")" + name + R"(","password":")" + password + R"("})");
    REQUIRE(r.status == 200);
    return r.Json()->getValue<std::string>("token");
  }

  TempDir dir;
  std::unique_ptr<Server> server;
  Account citizen;
};

void CheckJsonError(const Reply& r, int status, const std::string& code) {
  INFO(r.body);
  CHECK(r.status == status);
  CHECK_THAT(r.content_type, Catch::StartsWith("application/json"));
  auto j = r.Json();
  CHECK(j->getValue<std::string>("error") == code);
  CHECK_FALSE(j->getValue<std::string>("message").empty());
  CHECK_FALSE(j->getValue<std::string>("message_vi").empty());
}

}  // namespace

TEST_CASE("HTTP: health, login, and errors as JSON") {
  Running srv;
  Client c(srv.server->port());
  std::ifstream port_file(srv.dir.path() + "/data/syncserver.port");
  int written = 0;
  port_file >> written;
  CHECK(written == srv.server->port());

  Reply health = c.Send("GET", "/healthz");
  CHECK(health.status == 200);
  CHECK(health.Json()->getValue<std::string>("status") == "ok");

  Reply login = c.Send("POST", "/v1/login", R"({"name":"lan","password":"lan-2026"})");
  REQUIRE(login.status == 200);
  auto j = login.Json();
  CHECK(j->getValue<int>("expires_in") == 900);
  CHECK(j->getValue<std::string>("refresh_token").size() == 64);
  CHECK(j->getValue<Poco::Int64>("refresh_expires_in") == 30 * 24 * 3600);
  CHECK(j->getValue<std::string>("user_id") == srv.citizen.id);
  CHECK(j->getValue<std::string>("role") == "citizen");
  CHECK(j->getValue<std::string>("reporter_ref") == srv.citizen.reporter_ref);
  CHECK(j->getValue<std::string>("token").size() > 100);

  CheckJsonError(c.Send("POST", "/v1/login", R"({"name":"lan","password":"sai"})"), 401,
                 "unauthenticated");
  CheckJsonError(c.Send("POST", "/v1/login", R"({"name":"nobody","password":"x"})"), 401,
                 "unauthenticated");
  CheckJsonError(c.Send("POST", "/v1/login", "not json"), 400, "invalid_argument");
  CheckJsonError(c.Send("POST", "/v1/login", "[1,2]"), 400, "invalid_argument");
  CheckJsonError(c.Send("GET", "/nowhere"), 404, "not_found");
  CheckJsonError(c.Send("GET", "/v1/sync"), 405, "invalid_argument");
}

TEST_CASE("HTTP: /v1/sync refuses missing tokens, garbage and oversize bodies") {
  Running srv;
  Client c(srv.server->port());
  std::string token = srv.Login("lan", "lan-2026");

  CheckJsonError(c.Send("POST", "/v1/sync", "whatever", "", "application/x-q11-sync"), 401,
                 "unauthenticated");
  CheckJsonError(c.Send("POST", "/v1/sync", "whatever", "not.a.token", "application/x-q11-sync"),
                 401, "unauthenticated");
  Reply garbage =
      c.Send("POST", "/v1/sync", "garbage bytes, not an envelope", token, "application/x-q11-sync");
  CHECK(garbage.status == 400);
  CHECK(garbage.Json()->getValue<std::string>("error") == "data_loss");

  {  // A declared Content-Length over the cap is answered before the body is read.
    Poco::Net::HTTPClientSession s("127.0.0.1", srv.server->port());
    HTTPRequest req(HTTPRequest::HTTP_POST, "/v1/sync", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    req.setContentLength64(Poco::Int64(1) << 40);
    s.sendRequest(req) << "Q11S";
    CheckJsonError(Client::Receive(s), 413, "resource_exhausted");
  }
  {  // A chunked body is read only up to the cap.
    Poco::Net::HTTPClientSession s("127.0.0.1", srv.server->port());
    HTTPRequest req(HTTPRequest::HTTP_POST, "/v1/sync", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    req.setChunkedTransferEncoding(true);
    s.sendRequest(req) << std::string(100 * 1024, 'x');
    CheckJsonError(Client::Receive(s), 413, "resource_exhausted");
  }
  {  // Neither a length nor chunks.
    Poco::Net::HTTPClientSession s("127.0.0.1", srv.server->port());
    HTTPRequest req(HTTPRequest::HTTP_POST, "/v1/sync", Poco::Net::HTTPMessage::HTTP_1_1);
    req.set("Authorization", "Bearer " + token);
    s.sendRequest(req);
    CheckJsonError(Client::Receive(s), 411, "failed_precondition");
  }
  // Still serving after all that.
  CHECK(c.Send("GET", "/healthz").status == 200);
}

TEST_CASE("HTTP: a real sync pushes a report and pulls it back with the server's stamps") {
  Running srv;
  Client c(srv.server->port());
  std::string token = srv.Login("lan", "lan-2026");
  DeviceDb phone;
  std::string id = NewId();
  wire::SyncRequest req;
  req.device_id = "0195f3a0-0000-7000-8000-000000000001";
  req.client = "server_tests";
  req.push.push_back({1, phone.Capture(InsertReportSql(id))});
  Reply r =
      c.Send("POST", "/v1/sync", wire::EncodeSyncRequest(req), token, "application/x-q11-sync");
  REQUIRE(r.status == 200);
  CHECK(r.content_type == "application/x-q11-sync");
  auto resp = wire::DecodeSyncResponse(r.body);
  REQUIRE(resp.ok());
  REQUIRE(resp->verdicts.size() == 1);
  CHECK(resp->verdicts[0].verdict == wire::Verdict::kApplied);
  CHECK(resp->verdicts[0].server_seq == 1);
  CHECK(resp->pull_rows == 1);
  CHECK(resp->cursor == 1);
  CHECK_FALSE(resp->has_more);
  REQUIRE(sql::ApplyChangeset(phone.db(), resp->pull_changeset, [](int, sqlite3_changeset_iter*) {
            return sql::ConflictAction::kReplace;
          }).ok());
  CHECK(*phone.db().QueryText("SELECT reporter_ref FROM reports") == srv.citizen.reporter_ref);
  CHECK(phone.db().QueryText("SELECT due_at FROM reports")->has_value());

  // Another account may not use this device id.
  std::string other = srv.Login("minh", "minh-2026");
  req.push.clear();
  CheckJsonError(
      c.Send("POST", "/v1/sync", wire::EncodeSyncRequest(req), other, "application/x-q11-sync"),
      403, "permission_denied");
}

TEST_CASE("HTTP: idle keep-alive connections do not starve new ones") {
  Running srv(4);
  // Twelve phones each keep their connection open after one request, more than there
  // are worker threads; every one must still be answered at once.
  std::vector<std::unique_ptr<Poco::Net::HTTPClientSession>> open;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 12; ++i) {
    auto s = std::make_unique<Poco::Net::HTTPClientSession>("127.0.0.1", srv.server->port());
    s->setKeepAlive(true);
    s->setTimeout(Poco::Timespan(10, 0));
    HTTPRequest req(HTTPRequest::HTTP_GET, "/healthz", Poco::Net::HTTPMessage::HTTP_1_1);
    req.setKeepAlive(true);
    s->sendRequest(req);
    CHECK(Client::Receive(*s).status == 200);
    open.push_back(std::move(s));
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds < 2.0);  // the keep-alive timeout is 5 s: no request waited for one
}

TEST_CASE("HTTP: an account that keeps sending refused changes has its pushes paused (429)") {
  Running srv(16, /*refused_entries_per_hour=*/200);
  Client c(srv.server->port());
  std::string token = srv.Login("lan", "lan-2026");
  DeviceDb phone;
  std::string device = "0195f3a0-0000-7000-8000-0000000000aa";
  auto sync = [&](int first_seq, int entries) {
    wire::SyncRequest req;
    req.device_id = device;
    req.client = "server_tests";
    for (int i = 0; i < entries; ++i) {
      // A citizen filing a report already closed: refused by the write rules.
      std::string sql = InsertReportSql(NewId());
      sql.replace(sql.find("'new'"), 5, "'closed'");
      req.push.push_back({static_cast<uint64_t>(first_seq + i), phone.Capture(sql)});
    }
    return c.Send("POST", "/v1/sync", wire::EncodeSyncRequest(req), token,
                  "application/x-q11-sync");
  };
  // 250 refused entries in two pushes: each is answered (its verdicts say why).
  for (int push = 0; push < 2; ++push) {
    Reply r = sync(1 + push * 125, 125);
    REQUIRE(r.status == 200);
    auto resp = wire::DecodeSyncResponse(r.body);
    REQUIRE(resp.ok());
    REQUIRE(resp->verdicts.size() == 125);
    for (const auto& v : resp->verdicts) CHECK(v.verdict == wire::Verdict::kRejected);
  }
  // Past the limit (200 an hour), the next push is paused, with Retry-After.
  Poco::Net::HTTPClientSession s("127.0.0.1", srv.server->port());
  wire::SyncRequest req;
  req.device_id = "0195f3a0-0000-7000-8000-0000000000aa";
  req.push.push_back({300, phone.Capture(InsertReportSql(NewId()))});
  std::string bytes = wire::EncodeSyncRequest(req);
  HTTPRequest post(HTTPRequest::HTTP_POST, "/v1/sync", Poco::Net::HTTPMessage::HTTP_1_1);
  post.set("Authorization", "Bearer " + token);
  post.setContentType("application/x-q11-sync");
  post.setContentLength(static_cast<std::streamsize>(bytes.size()));
  s.sendRequest(post) << bytes;
  Poco::Net::HTTPResponse resp;
  std::string body;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), body);
  CHECK(resp.getStatus() == 429);
  int retry_after = std::stoi(resp.get("Retry-After", "0"));
  CHECK(retry_after >= 1);
  CHECK(retry_after <= 3600);
  CHECK_THAT(body, Catch::Contains("too many refused changes from this account"));
  CHECK_THAT(body, Catch::Contains("retry after " + std::to_string(retry_after) + " s"));
  // Its pulls go on; another account is not affected.
  CHECK(sync(0, 0).status == 200);
  auto minh = CreateAccount(srv.server->store(),
                            NewAccount{"minh2", "minh2-2026", Role::kCitizen, ""}, kNowMs, 1000);
  REQUIRE(minh.ok());
  token = srv.Login("minh2", "minh2-2026");
  device = "0195f3a0-0000-7000-8000-0000000000bb";
  CHECK(sync(1, 1).status == 200);
  // Each push was audited once, with its count: 2 rows for 250 refusals, not 250.
  auto db = sql::Db::Open(srv.dir.path() + "/data/syncserver.db", false);
  REQUIRE(db.ok());
  CHECK(*db->QueryText("SELECT count(*) FROM audit_log WHERE action = 'push.rejected' AND "
                       "actor = 'lan'") == "2");
  CHECK(*db->QueryText("SELECT sum(json_extract(details, '$.count')) FROM audit_log WHERE "
                       "action = 'push.rejected' AND actor = 'lan'") == "250");
}
