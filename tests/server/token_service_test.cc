#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "auth/token_service.h"
#include "server_test_support.h"

using namespace q11;
using namespace q11::server;

namespace {

Account Official() {
  Account a;
  a.id = "01a21c63-43c2-7097-b992-ca1eedcade18";
  a.name = "canbo.p04";
  a.role = Role::kOfficial;
  a.unit = "p04";
  a.reporter_ref = "cd-u7t364p7nrov";
  return a;
}

const std::string kKey(32, 'k');
constexpr int64_t kNow = 1795770000;

}  // namespace

TEST_CASE("An issued token verifies and carries the account's claims") {
  TokenService tokens(kKey);
  std::string t = tokens.Issue(Official(), kNow);
  auto c = tokens.Verify(t, kNow + 10);
  INFO(c.status().ToString());
  REQUIRE(c.ok());
  CHECK(c->user_id == Official().id);
  CHECK(c->name == "canbo.p04");
  CHECK(c->role == "official");
  CHECK(c->unit == "p04");
  CHECK(c->reporter_ref == "cd-u7t364p7nrov");
  CHECK(c->issued_at == kNow);
  CHECK(c->expires_at == kNow + 3600);
}

TEST_CASE("A token is refused once it has expired") {
  TokenService tokens(kKey, 3600);
  std::string t = tokens.Issue(Official(), kNow);
  CHECK(tokens.Verify(t, kNow + 3599).ok());
  auto late = tokens.Verify(t, kNow + 3600);
  CHECK(late.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(late.status().message(), Catch::Contains("expired"));
}

TEST_CASE("A token signed with another key or tampered with is refused") {
  std::string t = TokenService(kKey).Issue(Official(), kNow);
  CHECK(TokenService(std::string(32, 'x')).Verify(t, kNow).status().code() ==
        StatusCode::kUnauthenticated);
  // Swap the payload for one claiming the admin role, keeping the signature.
  size_t a = t.find('.'), b = t.rfind('.');
  Account admin = Official();
  admin.role = Role::kAdmin;
  std::string forged_src = TokenService(std::string(32, 'x')).Issue(admin, kNow);
  std::string forged =
      t.substr(0, a) +
      forged_src.substr(forged_src.find('.'), forged_src.rfind('.') - forged_src.find('.')) +
      t.substr(b);
  CHECK(TokenService(kKey).Verify(forged, kNow).status().code() == StatusCode::kUnauthenticated);
  CHECK(TokenService(kKey).Verify("", kNow).status().code() == StatusCode::kUnauthenticated);
  CHECK(TokenService(kKey).Verify("a.b.c", kNow).status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("A token with alg none is refused") {
  // {"alg":"none","typ":"JWT"} . {"sub":"x","exp":9999999999} . (no signature)
  std::string t = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJ4IiwiZXhwIjo5OTk5OTk5OTk5fQ.";
  CHECK(TokenService(kKey).Verify(t, kNow).status().code() == StatusCode::kUnauthenticated);
}

TEST_CASE("The signing key is made once, kept with mode 0600, and reused") {
  test::TempDir dir;
  std::string path = dir.path() + "/jwt.key";
  auto first = TokenService::FromKeyFile(path);
  REQUIRE(first.ok());
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  std::string t = first->Issue(Official(), kNow);
  auto second = TokenService::FromKeyFile(path);
  REQUIRE(second.ok());
  CHECK(second->Verify(t, kNow).ok());

  std::ofstream(path, std::ios::trunc) << "not hex\n";
  CHECK(TokenService::FromKeyFile(path).status().code() == StatusCode::kFailedPrecondition);
}
