// Runs the C scenario of c_api_app_test.c against a real syncserver, and sends the request
// q11_wait_request_json describes to that server, as the web app's worker does with fetch().
#include <catch2/catch.hpp>
#include <chrono>

#include "devicecore/devicecore.h"
#include "devicecore/env.h"
#include "devicecore/sync.h"
#include "protocol/json_value.h"
#include "test_support.h"

extern "C" int q11_c_api_app_scenario(const char* url, const char* dir);

using namespace q11;
using q11::test::TempDir;

namespace {

struct Server {
  Server() : server(tmp.File("server")) {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.Start());
  }
  TempDir tmp;
  test::ServerProcess server;
};

}  // namespace

TEST_CASE("C API for apps: filing by JSON, finding, codes, duplicates, settled, long poll") {
  Server s;
  CHECK(q11_c_api_app_scenario(s.server.url().c_str(), s.tmp.path().c_str()) == 0);
}

TEST_CASE("C API for apps: the wait request, sent as described, is the server's long poll") {
  Server s;
  q11_db* db = nullptr;
  REQUIRE(q11_open(s.tmp.File("lan.db").c_str(), &db) == Q11_OK);
  REQUIRE(q11_login(db, s.server.url().c_str(), "lan", "mat-khau-lan") == Q11_OK);
  char* text = nullptr;
  REQUIRE(q11_wait_request_json(db, 1, &text) == Q11_OK);
  Result<json::Value> request = json::Parse(text);
  q11_free(text);
  REQUIRE(request.ok());
  auto http = device::MakeHttpTransport(s.server.url(), 10000);
  REQUIRE(http.ok());
  const auto start = std::chrono::steady_clock::now();
  Result<device::HttpReply> reply =
      (*http)->Post(request->StringOr("path"), request->StringOr("content_type"),
                    request->StringOr("body"), request->StringOr("bearer"));
  REQUIRE(reply.ok());
  CHECK(reply->status == 200);
  // Nothing for this citizen's account after the cursor: held ~1 s, then "no".
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(800));
  Result<bool> changed = device::ReadWaitAnswer(reply->body);
  REQUIRE(changed.ok());
  CHECK_FALSE(*changed);
  q11_close(db);
}
