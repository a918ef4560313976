// ParseServerUrl (devicecore/src/server_url.h), parsed by hand since devicecore dropped
// Poco::URI: the parts a transport uses, and what is refused before any connection.
#include <catch2/catch.hpp>

#include "server_url.h"

using namespace q11;
using namespace q11::device;

TEST_CASE("server URL: scheme, host, port and prefix") {
  Result<ServerUrl> u = ParseServerUrl("https://q11.example.org:8443/q11/api/");
  REQUIRE(u.ok());
  CHECK(u->tls);
  CHECK(u->host == "q11.example.org");
  CHECK(u->port == 8443);
  CHECK(u->prefix == "/q11/api");

  u = ParseServerUrl("HTTPS://q11.example.org");
  REQUIRE(u.ok());
  CHECK(u->port == 443);
  CHECK(u->prefix.empty());

  u = ParseServerUrl("http://127.0.0.1:8080/?x=1#top");
  REQUIRE(u.ok());
  CHECK_FALSE(u->tls);
  CHECK(u->port == 8080);
  CHECK(u->prefix.empty());

  u = ParseServerUrl("http://[::1]:9000/a%20b");
  REQUIRE(u.ok());
  CHECK(u->host == "::1");
  CHECK(u->port == 9000);
  CHECK(u->prefix == "/a b");

  u = ParseServerUrl("http://user@localhost:/");  // userinfo ignored, empty port: default
  REQUIRE(u.ok());
  CHECK(u->host == "localhost");
  CHECK(u->port == 80);
}

TEST_CASE("server URL: what is refused, and why") {
  for (const char* url : {"ftp://example.org", "not a url", "https:example.org", "", "//x"}) {
    INFO(url);
    Result<ServerUrl> u = ParseServerUrl(url);
    REQUIRE_FALSE(u.ok());
    CHECK_THAT(u.status().message(), Catch::Contains("must start with https://"));
  }
  for (const char* url : {"https://", "https:///path", "https://:443", "https://user@"}) {
    INFO(url);
    Result<ServerUrl> u = ParseServerUrl(url);
    REQUIRE_FALSE(u.ok());
    CHECK_THAT(u.status().message(), Catch::Contains("has no host"));
  }
  for (const char* url : {"https://example.org:80x", "https://example.org:65536", "https://[::1",
                          "https://[::1]x", "https://exa mple.org", "https://example.org/%zz"}) {
    INFO(url);
    Result<ServerUrl> u = ParseServerUrl(url);
    REQUIRE_FALSE(u.ok());
    CHECK(u.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(u.status().message(), Catch::Contains("bad server URL"));
  }
  Result<ServerUrl> plain = ParseServerUrl("http://192.168.1.20:8080");
  REQUIRE_FALSE(plain.ok());
  CHECK_THAT(plain.status().message(), Catch::Contains("HTTPS is needed"));
}
