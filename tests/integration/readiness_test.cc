// GET /readyz (http/readiness.h) of the real server, on either backend: ready while its
// database takes a write and its disk has room; 503 with the reason otherwise. A failing
// database is tests/server/readiness_test.cc.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "test_support.h"

using namespace q11::test;

namespace {

std::pair<int, std::string> Get(const ServerProcess& server, const std::string& path) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(server.port()));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  return {static_cast<int>(resp.getStatus()), body.str()};
}

}  // namespace

TEST_CASE("Readiness: /readyz is ready while the database takes a write and the disk has room") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.Start());
  auto [status, body] = Get(server, "/readyz");
  INFO(body);
  CHECK(status == 200);
  CHECK_THAT(body, Catch::Contains(R"("status":"ready")"));
  CHECK_THAT(body, Catch::Contains(R"("database":"ok")"));
  CHECK_THAT(body, Catch::Contains(R"("reasons":[])"));
  auto [health, alive] = Get(server, "/healthz");
  CHECK(health == 200);
  server.Stop();

  // A floor above what any disk here has: alive, but not ready, saying why.
  REQUIRE(server.Start({"--min-free-mib=1000000000"}));
  auto [low, why] = Get(server, "/readyz");
  INFO(why);
  CHECK(low == 503);
  CHECK_THAT(why, Catch::Contains(R"("status":"not_ready")"));
  CHECK_THAT(why, Catch::Contains(R"("database":"ok")"));
  CHECK_THAT(why, Catch::Contains("--min-free-mib"));
  CHECK(Get(server, "/healthz").first == 200);
}

TEST_CASE("Config file: serve --config reads syncserver.OPTION keys; the command line wins") {
  TempDir tmp;
  const std::string conf = tmp.File("syncserver.properties");
  {
    std::ofstream out(conf);
    out << "# Quận 11 server\n"
           "syncserver.min-free-mib = 1000000000\n"
           "syncserver.quiet = true\n";
  }
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.Start({"--config=" + conf}));
  CHECK(Get(server, "/readyz").first == 503);  // the file's floor applies
  server.Stop();
  REQUIRE(server.Start({"--config=" + conf, "--min-free-mib=0"}));
  CHECK(Get(server, "/readyz").first == 200);  // the command line overrides it
  server.Stop();

  // Mistakes are named, and the server does not start.
  {
    std::ofstream out(conf);
    out << "syncserver.min-free-mb = 5\n";
  }
  CommandResult bad =
      Run({SyncserverBin(), "serve", "--data=" + tmp.File("x"), "--config=" + conf});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("unknown option syncserver.min-free-mb"));
  {
    std::ofstream out(conf);
    out << "syncserver.quiet = maybe\n";
  }
  bad = Run({SyncserverBin(), "serve", "--data=" + tmp.File("x"), "--config=" + conf});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("must be true or false"));
  bad = Run({SyncserverBin(), "serve", "--data=" + tmp.File("x"), "--config=" + tmp.File("none")});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("no configuration file"));
}
