// The security building blocks on their own: the workflow table, contact sealing, rate
// limits with a fake clock, and refresh-token rotation with reuse detection.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "auth/key_file.h"
#include "auth/rate_limiter.h"
#include "auth/refresh_tokens.h"
#include "privacy/contact_cipher.h"
#include "privacy/contact_vault.h"
#include "server_test_support.h"
#include "store/sqlite/server_schema.h"
#include "store/sqlite/sqlite_store.h"
#include "sync/workflow.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

namespace {

std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("Workflow: officials follow the path, leaders may reopen, citizens never") {
  CHECK(TransitionAllowed(Role::kOfficial, "new", "accepted"));
  CHECK(TransitionAllowed(Role::kOfficial, "new", "in_progress"));  // a field officer
  CHECK(TransitionAllowed(Role::kOfficial, "accepted", "rejected"));
  CHECK(TransitionAllowed(Role::kOfficial, "resolved", "in_progress"));
  CHECK(TransitionAllowed(Role::kOfficial, "resolved", "closed"));
  CHECK_FALSE(TransitionAllowed(Role::kOfficial, "new", "resolved"));
  CHECK_FALSE(TransitionAllowed(Role::kOfficial, "new", "closed"));
  CHECK_FALSE(TransitionAllowed(Role::kOfficial, "in_progress", "new"));
  CHECK_FALSE(TransitionAllowed(Role::kOfficial, "closed", "in_progress"));
  CHECK_FALSE(TransitionAllowed(Role::kOfficial, "rejected", "accepted"));
  CHECK(TransitionAllowed(Role::kLeader, "closed", "in_progress"));
  CHECK(TransitionAllowed(Role::kLeader, "rejected", "accepted"));
  CHECK_FALSE(TransitionAllowed(Role::kLeader, "closed", "new"));
  CHECK_FALSE(TransitionAllowed(Role::kCitizen, "new", "accepted"));
  CHECK(TransitionAllowed(Role::kCitizen, "new", "new"));  // unchanged is no transition
  CHECK(AllowedNext(Role::kOfficial, "new") == "accepted, rejected, duplicate, in_progress");
  CHECK(AllowedNext(Role::kOfficial, "closed") == "none");
}

TEST_CASE("Contact cipher: opens only with its key and its account, detects tampering") {
  ContactCipher cipher(std::string(32, 'k'));
  std::string sealed = cipher.Seal("0901234567", "user-1");
  CHECK(sealed.find("0901234567") == std::string::npos);
  CHECK(cipher.Seal("0901234567", "user-1") != sealed);  // a fresh nonce every time
  auto opened = cipher.Open(sealed, "user-1");
  REQUIRE(opened.ok());
  CHECK(*opened == "0901234567");
  CHECK(cipher.Open(sealed, "user-2").status().code() == StatusCode::kDataLoss);
  CHECK(ContactCipher(std::string(32, 'x')).Open(sealed, "user-1").status().code() ==
        StatusCode::kDataLoss);
  std::string flipped = sealed;
  flipped[20] ^= 1;
  CHECK(cipher.Open(flipped, "user-1").status().code() == StatusCode::kDataLoss);
  CHECK(cipher.Open("", "user-1").status().code() == StatusCode::kDataLoss);
  CHECK(cipher.Open(sealed.substr(0, 10), "user-1").status().code() == StatusCode::kDataLoss);
}

TEST_CASE("Contact vault: sealed in the database, key file 0600 outside it") {
  TempDir dir;
  std::string db = dir.path() + "/server.db", key = dir.path() + "/contact.key";
  {
    auto store = OpenSqliteServerStore(db);
    REQUIRE(store.ok());
    auto vault = ContactVault::Open(**store, key);
    REQUIRE(vault.ok());
    REQUIRE((*vault)
                ->Put("u1", Contact{"lan", "0901234567", "lan@example.vn"}, "2026-01-01T00:00:00Z")
                .ok());
    auto none = (*vault)->Get("u2");
    REQUIRE(none.ok());
    CHECK_FALSE(none->has_value());
  }
  struct stat st {};
  REQUIRE(::stat(key.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto store = OpenSqliteServerStore(db);
  REQUIRE(store.ok());
  auto again = ContactVault::Open(**store, key);  // the same key is read back
  REQUIRE(again.ok());
  auto c = (*again)->Get("u1");
  REQUIRE(c.ok());
  REQUIRE(c->has_value());
  CHECK((*c)->phone == "0901234567");
  CHECK((*c)->email == "lan@example.vn");
  CHECK((*c)->name == "lan");
  std::string bytes = ReadFileBytes(db) + ReadFileBytes(db + "-wal");
  CHECK(bytes.find("0901234567") == std::string::npos);
  CHECK(bytes.find("lan@example.vn") == std::string::npos);
}

TEST_CASE("Rate limiter: a burst of capacity, then one per refill interval, Retry-After") {
  RateLimiter limiter(10, 60);  // 10 per minute
  int64_t t = 1'000'000;
  for (int i = 0; i < 10; ++i) CHECK_FALSE(limiter.Take("1.2.3.4", t).has_value());
  auto wait = limiter.Take("1.2.3.4", t);
  REQUIRE(wait.has_value());
  CHECK(*wait == 6);                                      // one token per 6 s
  CHECK_FALSE(limiter.Take("5.6.7.8", t).has_value());    // other keys are unaffected
  CHECK(limiter.Take("1.2.3.4", t + 5'000).has_value());  // not yet
  CHECK_FALSE(limiter.Take("1.2.3.4", t + 6'000).has_value());
  RateLimiter off(0, 60);
  for (int i = 0; i < 1000; ++i) CHECK_FALSE(off.Take("x", t).has_value());
}

TEST_CASE("Refresh tokens: a retry after a lost answer gets a sibling, a later reuse still kills") {
  TempDir dir;
  auto tokens = RefreshTokens::Open(dir.path() + "/server.db", /*ttl_seconds=*/1000);
  REQUIRE(tokens.ok());
  RefreshTokens& rt = **tokens;
  const int64_t t = 1'800'000'000;
  auto first = rt.IssueFamily("u1", t);
  REQUIRE(first.ok());
  auto lost = rt.Rotate(first->token, t + 1);  // its answer never reaches the phone
  REQUIRE(lost.ok());
  auto retry = rt.Rotate(first->token, t + 5);  // the phone sends the same token again
  REQUIRE(retry.ok());
  CHECK(retry->family_id == first->family_id);
  CHECK(retry->token != lost->token);
  auto next = rt.Rotate(retry->token, t + 600);  // the session goes on
  REQUIRE(next.ok());

  SECTION("the replaced child turning up later means two holders: the family is revoked") {
    auto thief = rt.Rotate(lost->token, t + 601);
    CHECK_THAT(thief.status().message(), Catch::Contains("reused"));
    CHECK(rt.Rotate(next->token, t + 602).status().code() == StatusCode::kUnauthenticated);
  }
  SECTION("a token again within seconds, but its child was already used: a reuse") {
    auto after = rt.Rotate(next->token, t + 602);  // `next`, retry's child, is used
    REQUIRE(after.ok());
    auto late = rt.Rotate(retry->token, t + 603);  // within 30 s of retry's own use
    CHECK_THAT(late.status().message(), Catch::Contains("reused"));
    CHECK(rt.Rotate(after->token, t + 604).status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE(
    "Refresh tokens: one refresh answered twice keeps the session whichever answer the "
    "phone kept") {
  TempDir dir;
  auto tokens = RefreshTokens::Open(dir.path() + "/server.db", /*ttl_seconds=*/1000);
  REQUIRE(tokens.ok());
  RefreshTokens& rt = **tokens;
  const int64_t t = 1'800'000'000;
  auto first = rt.IssueFamily("u1", t);
  REQUIRE(first.ok());
  // The same request twice at once (a retry racing the original, tests/integration/
  // network_faults_test.cc): the server answers both; the phone keeps one of the answers.
  auto kept = rt.Rotate(first->token, t + 1);
  REQUIRE(kept.ok());
  auto other = rt.Rotate(first->token, t + 1);  // supersedes `kept`
  REQUIRE(other.ok());

  SECTION("the phone kept the first answer: it refreshes with it and goes on") {
    auto next = rt.Rotate(kept->token, t + 60);
    REQUIRE(next.ok());
    CHECK(next->family_id == first->family_id);
    CHECK(rt.Rotate(next->token, t + 120).ok());
    // The other answer turning up after all: two holders, the family is revoked.
    CHECK_THAT(rt.Rotate(other->token, t + 121).status().message(), Catch::Contains("reused"));
  }
  SECTION("the phone kept the second answer: it refreshes with it and goes on") {
    auto next = rt.Rotate(other->token, t + 60);
    REQUIRE(next.ok());
    CHECK(rt.Rotate(next->token, t + 120).ok());
    CHECK_THAT(rt.Rotate(kept->token, t + 121).status().message(), Catch::Contains("reused"));
  }
  SECTION("both answers used: two holders, the family is revoked") {
    auto a = rt.Rotate(kept->token, t + 60);
    REQUIRE(a.ok());
    CHECK_THAT(rt.Rotate(other->token, t + 61).status().message(), Catch::Contains("reused"));
    CHECK(rt.Rotate(a->token, t + 62).status().code() == StatusCode::kUnauthenticated);
  }
}

TEST_CASE("Refresh tokens: only families with nothing left alive are pruned") {
  TempDir dir;
  auto tokens = RefreshTokens::Open(dir.path() + "/server.db", /*ttl_seconds=*/1000);
  REQUIRE(tokens.ok());
  RefreshTokens& rt = **tokens;
  const int64_t t = 1'800'000'000;
  auto old_family = rt.IssueFamily("u1", t);
  auto live_family = rt.IssueFamily("u1", t);
  REQUIRE(old_family.ok());
  REQUIRE(live_family.ok());
  auto rotated = rt.Rotate(live_family->token, t + 900);  // its child lives until t + 1900
  REQUIRE(rotated.ok());
  auto pruned = rt.Prune(t + 1000);
  REQUIRE(pruned.ok());
  CHECK(*pruned == 1);  // the old family's one token; the live family keeps both rows
  // Reuse detection still works in the kept family.
  CHECK_THAT(rt.Rotate(live_family->token, t + 1001).status().message(), Catch::Contains("reused"));
  CHECK(*rt.Prune(t + 1000) == 0);
}

TEST_CASE("Refresh tokens: rotate, reuse revokes the family, expiry, logout, disable") {
  TempDir dir;
  std::string db = dir.path() + "/server.db";
  auto tokens = RefreshTokens::Open(db, /*ttl_seconds=*/1000);
  REQUIRE(tokens.ok());
  RefreshTokens& rt = **tokens;
  const int64_t t = 1'800'000'000;

  auto first = rt.IssueFamily("u1", t);
  REQUIRE(first.ok());
  CHECK(first->token.size() == 64);
  auto second = rt.Rotate(first->token, t + 1);
  REQUIRE(second.ok());
  CHECK(second->user_id == "u1");
  CHECK(second->family_id == first->family_id);
  CHECK(second->token != first->token);

  // Only hashes are stored.
  auto raw = sql::Db::Open(db, false);
  REQUIRE(raw.ok());
  auto n = raw->QueryText("SELECT count(*) FROM refresh_tokens WHERE token_hash = '" +
                          first->token + "' OR token_hash = '" + second->token + "'");
  REQUIRE(n.ok());
  CHECK(n->value_or("") == "0");

  // The first token again after the grace period: reuse. Refused, and the newer token dies
  // with its family.
  auto reused = rt.Rotate(first->token, t + 1 + kReuseGraceSeconds + 1);
  CHECK(reused.status().code() == StatusCode::kUnauthenticated);
  CHECK_THAT(reused.status().message(), Catch::Contains("reused"));
  CHECK(rt.Rotate(second->token, t + 40).status().code() == StatusCode::kUnauthenticated);

  // Another family of the same user is untouched by that; it expires after its ttl.
  auto other = rt.IssueFamily("u1", t);
  REQUIRE(other.ok());
  CHECK(rt.Rotate(other->token, t + 1000).status().code() == StatusCode::kUnauthenticated);
  CHECK(rt.Rotate("not-a-token", t).status().code() == StatusCode::kUnauthenticated);

  // Logout revokes the family, but only for its own user.
  auto mine = rt.IssueFamily("u1", t);
  REQUIRE(mine.ok());
  REQUIRE(rt.RevokeFamily(mine->token, "u2", t).ok());
  auto still = rt.Rotate(mine->token, t + 1);
  REQUIRE(still.ok());
  REQUIRE(rt.RevokeFamily(still->token, "u1", t + 2).ok());
  CHECK(rt.Rotate(still->token, t + 3).status().code() == StatusCode::kUnauthenticated);

  // Disabling revokes every family of the account.
  auto a = rt.IssueFamily("u3", t), b = rt.IssueFamily("u3", t);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  REQUIRE(rt.RevokeUser("u3", t).ok());
  CHECK_FALSE(rt.Rotate(a->token, t + 1).ok());
  CHECK_FALSE(rt.Rotate(b->token, t + 1).ok());
}
