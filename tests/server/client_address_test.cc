// Who a request comes from behind a reverse proxy (http/client_address.h): X-Forwarded-For
// counts only when the socket's peer is a trusted proxy, and then its right-most entry
// that is not itself a trusted proxy. The HTTP cases run a real server in-process on a
// loopback port and watch the per-address login limit and the audit trail.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <csignal>

#include "auth/accounts.h"
#include "http/client_address.h"
#include "q11sqlite/sqlite.h"
#include "server_test_support.h"
#include "syncserver/server.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

TrustedProxies Trust(const std::string& list) {
  Result<TrustedProxies> p = TrustedProxies::Parse(list);
  INFO(p.status().ToString());
  REQUIRE(p.ok());
  return *p;
}

}  // namespace

TEST_CASE("Trusted proxies: addresses and CIDR blocks, anything else refused by name") {
  TrustedProxies p = Trust(" 127.0.0.1, ::1 ,10.1.0.0/16,fd00::/8");
  CHECK(p.Contains("127.0.0.1"));
  CHECK(p.Contains("::ffff:127.0.0.1"));  // IPv4-mapped, as a dual-stack socket reports it
  CHECK(p.Contains("::1"));
  CHECK(p.Contains("0:0:0:0:0:0:0:1"));
  CHECK(p.Contains("10.1.200.3"));
  CHECK(p.Contains("fd12::5"));
  CHECK_FALSE(p.Contains("127.0.0.2"));
  CHECK_FALSE(p.Contains("10.2.0.1"));
  CHECK_FALSE(p.Contains("fe80::1"));
  CHECK_FALSE(p.Contains("localhost"));
  CHECK_FALSE(p.Contains(""));
  CHECK(Trust("").empty());
  CHECK(Trust(" , ").empty());
  CHECK(Trust("0.0.0.0/0").Contains("203.0.113.9"));
  for (const char* bad : {"localhost", "127.0.0.1/33", "::1/129", "10.0.0.0/", "10.0.0.0/x",
                          "1.2.3.4:80", "127.0.0.1,nope"}) {
    Result<TrustedProxies> r = TrustedProxies::Parse(bad);
    INFO(bad);
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
  }
  CHECK_THAT(TrustedProxies::Parse("127.0.0.1,nope").status().message(), Catch::Contains("'nope'"));
}

TEST_CASE("Trusted proxies: the right-most forwarded address that is not a proxy is the client") {
  TrustedProxies none;
  TrustedProxies local = Trust("127.0.0.1,10.0.0.0/8");
  // Not trusted (or nothing trusted): the header is ignored, whatever it says.
  CHECK(none.ClientOf("127.0.0.1", {"203.0.113.9"}) == "127.0.0.1");
  CHECK(local.ClientOf("198.51.100.4", {"203.0.113.9"}) == "198.51.100.4");
  CHECK(local.ClientOf("::ffff:198.51.100.4", {}) == "198.51.100.4");
  // From a trusted proxy: the entry it appended.
  CHECK(local.ClientOf("127.0.0.1", {"203.0.113.9"}) == "203.0.113.9");
  CHECK(local.ClientOf("127.0.0.1", {}) == "127.0.0.1");
  CHECK(local.ClientOf("127.0.0.1", {""}) == "127.0.0.1");
  // A client's own X-Forwarded-For is kept by the proxy, left of what it appends: only
  // the proxy's entry counts.
  CHECK(local.ClientOf("127.0.0.1", {"1.1.1.1, 203.0.113.9"}) == "203.0.113.9");
  // A chain of trusted proxies is walked through.
  CHECK(local.ClientOf("127.0.0.1", {"203.0.113.9, 10.0.0.7"}) == "203.0.113.9");
  CHECK(local.ClientOf("127.0.0.1", {"203.0.113.9", "10.0.0.7"}) == "203.0.113.9");
  CHECK(local.ClientOf("127.0.0.1", {"10.0.0.8,10.0.0.7"}) == "10.0.0.8");
  CHECK(local.ClientOf("127.0.0.1", {"2001:db8::1"}) == "2001:db8::1");
  // Not an address: the trusted hop that wrote it stands for the client.
  CHECK(local.ClientOf("127.0.0.1", {"unknown"}) == "127.0.0.1");
  CHECK(local.ClientOf("127.0.0.1", {"203.0.113.9, garbage, 10.0.0.7"}) == "10.0.0.7");
  CHECK(local.ClientOf("127.0.0.1", {"203.0.113.9:4711"}) == "127.0.0.1");
}

namespace {

int LoginStatus(uint16_t port, const std::string& name, const std::string& forwarded_for) {
  Poco::Net::HTTPClientSession s("127.0.0.1", port);
  Poco::Net::HTTPRequest req("POST", "/v1/login", Poco::Net::HTTPMessage::HTTP_1_1);
  if (!forwarded_for.empty()) req.set("X-Forwarded-For", forwarded_for);
  const std::string body = R"({"name":")" + name + R"(","password":"sai-mat-khau"})";
  req.setContentType("application/json");
  req.setContentLength(static_cast<std::streamsize>(body.size()));
  s.sendRequest(req) << body;
  Poco::Net::HTTPResponse resp;
  std::string ignored;
  Poco::StreamCopier::copyToString(s.receiveResponse(resp), ignored);
  return resp.getStatus();
}

// A server allowing 2 logins a minute per address, trusting `trusted` as proxies.
struct Running {
  explicit Running(const std::string& trusted) {
    std::signal(SIGPIPE, SIG_IGN);
    ServerOptions o;
    o.data_dir = dir.path() + "/data";
    o.port = 0;
    o.log_requests = false;
    o.login_per_minute = 2;
    o.trusted_proxies = trusted;
    auto s = Server::Start(o);
    INFO(s.status().ToString());
    REQUIRE(s.ok());
    server = std::move(*s);
  }
  // The addresses of the failed logins in the audit trail, oldest first.
  std::vector<std::string> FailedLoginAddresses() {
    auto db = sql::Db::Open(dir.path() + "/data/syncserver.db", false);
    REQUIRE(db.ok());
    auto st = db->Prepare(
        "SELECT json_extract(details, '$.address') FROM audit_log "
        "WHERE action = 'login.failed' ORDER BY id");
    REQUIRE(st.ok());
    std::vector<std::string> out;
    while (*st->Step()) out.push_back(st->Text(0));
    return out;
  }
  TempDir dir;
  std::unique_ptr<Server> server;
};

}  // namespace

TEST_CASE("Trusted proxies: a client sending X-Forwarded-For itself stays its own address") {
  // The test talks from 127.0.0.1; the only trusted proxy is elsewhere.
  Running srv("127.0.0.2");
  // Every request claims another address: all are still counted against 127.0.0.1.
  CHECK(LoginStatus(srv.server->port(), "an", "203.0.113.1") == 401);
  CHECK(LoginStatus(srv.server->port(), "binh", "203.0.113.2") == 401);
  CHECK(LoginStatus(srv.server->port(), "chi", "203.0.113.3") == 429);
  CHECK(srv.FailedLoginAddresses() == std::vector<std::string>{"127.0.0.1", "127.0.0.1"});
}

TEST_CASE("Trusted proxies: behind a trusted proxy, each forwarded client has its own limits") {
  Running srv("127.0.0.1");
  CHECK(LoginStatus(srv.server->port(), "an", "203.0.113.1") == 401);
  CHECK(LoginStatus(srv.server->port(), "binh", "203.0.113.1") == 401);
  CHECK(LoginStatus(srv.server->port(), "chi", "203.0.113.1") == 429);
  // Another client behind the same proxy is not held by the first one's attempts; what it
  // wrote itself left of the proxy's entry does not count.
  CHECK(LoginStatus(srv.server->port(), "dung", "203.0.113.1, 198.51.100.7") == 401);
  CHECK(srv.FailedLoginAddresses() ==
        std::vector<std::string>{"203.0.113.1", "203.0.113.1", "198.51.100.7"});
}

TEST_CASE("Trusted proxies: a list that is not addresses stops the server from starting") {
  TempDir dir;
  ServerOptions o;
  o.data_dir = dir.path() + "/data";
  o.port = 0;
  o.trusted_proxies = "127.0.0.1,proxy.local";
  auto s = Server::Start(o);
  CHECK(s.status().code() == StatusCode::kInvalidArgument);
  CHECK_THAT(s.status().message(), Catch::Contains("proxy.local"));
}
