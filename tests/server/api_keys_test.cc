// Open311 API keys (open311/api_keys.h) kept by the SQLite store through its ApiKeyStore
// interface (store/api_key_store.h), not on a connection of their own: a key made through
// one store is honoured, listed and revoked through it, the refusals keep their codes, and
// the keys outlive the store that made them (they are in the database).
#include <catch2/catch.hpp>

#include "open311/api_keys.h"
#include "server_test_support.h"
#include "store/sqlite/sqlite_store.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

TEST_CASE("API keys: made, checked, listed and revoked through the store") {
  TempDir dir;
  const std::string path = dir.path() + "/syncserver.db";
  std::string key;
  {
    auto store = OpenSqliteServerStore(path);
    REQUIRE(store.ok());
    ApiKeys keys(**store);
    Result<std::string> made = keys.Add("portal", "2026-12-01T00:00:00.000Z");
    REQUIRE(made.ok());
    key = *made;
    CHECK(key.rfind("o311_", 0) == 0);
    CHECK(keys.Add("portal", "2026-12-01T00:00:01.000Z").status().code() ==
          StatusCode::kAlreadyExists);
    CHECK(keys.Add("bad name!", "2026-12-01T00:00:01.000Z").status().code() ==
          StatusCode::kInvalidArgument);
    Result<std::optional<std::string>> who = keys.Check(key);
    REQUIRE(who.ok());
    CHECK(who->value_or("") == "portal");
    Result<std::optional<std::string>> nobody = keys.Check("o311_" + std::string(32, 'a'));
    REQUIRE(nobody.ok());
    CHECK_FALSE(nobody->has_value());
  }
  // Reopened: the key is in the database, not in the store that made it.
  auto store = OpenSqliteServerStore(path);
  REQUIRE(store.ok());
  ApiKeys keys(**store);
  REQUIRE(keys.Check(key).ok());
  CHECK(keys.Check(key)->value_or("") == "portal");
  CHECK(keys.Revoke("nobody", "2026-12-02T00:00:00.000Z").code() == StatusCode::kNotFound);
  REQUIRE(keys.Revoke("portal", "2026-12-02T00:00:00.000Z").ok());
  Status again = keys.Revoke("portal", "2026-12-03T00:00:00.000Z");
  CHECK(again.code() == StatusCode::kFailedPrecondition);
  CHECK(again.message().find("2026-12-02T00:00:00.000Z") != std::string::npos);
  CHECK_FALSE(keys.Check(key)->has_value());
  Result<std::vector<ApiKeyInfo>> list = keys.List();
  REQUIRE(list.ok());
  REQUIRE(list->size() == 1);
  CHECK((*list)[0].name == "portal");
  CHECK((*list)[0].created_at == "2026-12-01T00:00:00.000Z");
  CHECK((*list)[0].revoked_at == "2026-12-02T00:00:00.000Z");
}
