// The audit trail's hash chain on values (audit/audit_chain.h): every kind of tampering
// with a chain of records is named at the first record it breaks.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "audit/audit_chain.h"

using namespace q11::server;
using namespace q11::server::audit_chain;

namespace {

Record Make(int64_t id, std::string action, std::string details, const std::string& previous) {
  Record r;
  r.id = id;
  r.at = "2026-12-06T10:00:0" + std::to_string(id % 10) + ".000Z";
  r.actor = "canbo.a";
  r.action = std::move(action);
  r.subject = "device/d" + std::to_string(id);
  r.details = std::move(details);
  r.content_hash = ContentHash(r.actor, r.subject, r.details);
  r.chain_hash = ChainHash(previous, r.id, r.at, r.action, r.content_hash);
  return r;
}

// Five chained records: pushes, a login, a resolution.
std::vector<Record> Chain() {
  std::vector<Record> out;
  std::string previous(kGenesis);
  const char* actions[] = {"sync.push", "login.succeeded", "sync.push", "conflict.resolved",
                           "sync.push"};
  for (int64_t id = 1; id <= 5; ++id) {
    out.push_back(Make(id, actions[id - 1], "{\"n\":" + std::to_string(id) + "}", previous));
    previous = out.back().chain_hash;
  }
  return out;
}

// The first break, or "" when the whole chain holds.
std::string Check(const std::vector<Record>& records, Checker* checker = nullptr) {
  Checker local;
  Checker& c = checker ? *checker : local;
  for (const Record& r : records)
    if (auto broken = c.Next(r)) return *broken;
  return "";
}

}  // namespace

TEST_CASE("Audit chain: an untouched chain holds, and its head is its last hash") {
  std::vector<Record> chain = Chain();
  Checker c;
  CHECK(Check(chain, &c).empty());
  CHECK(c.checked() == 5);
  CHECK(c.head_id() == 5);
  CHECK(c.head_hash() == chain.back().chain_hash);
  // The encoding is unambiguous: moving a byte between fields changes the hash.
  CHECK(ContentHash("ab", "c", "{}") != ContentHash("a", "bc", "{}"));
}

TEST_CASE("Audit chain: each tampering is named at the record it breaks") {
  std::vector<Record> chain = Chain();
  SECTION("content edited") {
    chain[2].details = "{\"n\":99}";
    CHECK_THAT(Check(chain), Catch::StartsWith("record 3 (") && Catch::Contains("content"));
  }
  SECTION("content edited and its content hash recomputed") {
    chain[2].details = "{\"n\":99}";
    chain[2].content_hash = ContentHash(chain[2].actor, chain[2].subject, chain[2].details);
    CHECK_THAT(Check(chain), Catch::StartsWith("record 3 (") && Catch::Contains("does not follow"));
  }
  SECTION("action or time edited") {
    chain[3].action = "login.failed";
    CHECK_THAT(Check(chain), Catch::StartsWith("record 4 ("));
    chain = Chain();
    chain[1].at = "2020-01-01T00:00:00.000Z";
    CHECK_THAT(Check(chain), Catch::StartsWith("record 2 ("));
  }
  SECTION("a record removed") {
    chain.erase(chain.begin() + 1);
    CHECK_THAT(Check(chain), Catch::StartsWith("record 3 (") && Catch::Contains("does not follow"));
  }
  SECTION("a record inserted") {
    Record forged = Make(3, "sync.push", "{}", chain[1].chain_hash);
    for (size_t i = 2; i < chain.size(); ++i) chain[i].id += 1;  // renumbered after it
    chain.insert(chain.begin() + 2, forged);
    CHECK_THAT(Check(chain), Catch::StartsWith("record 4 ("));
  }
  SECTION("records swapped") {
    std::swap(chain[1], chain[2]);
    CHECK_THAT(Check(chain), Catch::StartsWith("record 3 (") && Catch::Contains("does not follow"));
    chain = Chain();
    chain.push_back(chain[1]);  // a copy of record 2 at the end
    CHECK_THAT(Check(chain), Catch::StartsWith("record 2 (") && Catch::Contains("out of order"));
  }
  SECTION("a hash removed inside the chain") {
    chain[2].chain_hash.clear();
    CHECK_THAT(Check(chain), Catch::StartsWith("record 3 (") && Catch::Contains("no hash"));
  }
  SECTION("pruning: allowed for a login, not for a resolution") {
    chain[1].pruned = true;
    chain[1].actor = chain[1].subject = "";
    chain[1].details = "{}";
    Checker c;
    CHECK(Check(chain, &c).empty());
    CHECK(c.pruned() == 1);
    chain[3].pruned = true;
    CHECK_THAT(Check(chain), Catch::StartsWith("record 4 (") && Catch::Contains("never pruned"));
  }
}

TEST_CASE("Audit chain: records from before the chain may only precede it") {
  std::vector<Record> chain;
  for (int64_t id = 1; id <= 2; ++id) {
    Record old;
    old.id = id;
    old.action = "conflict.parked";
    chain.push_back(old);
  }
  // The first chained record follows the genesis, as audit_log.cc writes it.
  std::string previous(kGenesis);
  for (int64_t id = 3; id <= 4; ++id) {
    chain.push_back(Make(id, "sync.push", "{}", previous));
    previous = chain.back().chain_hash;
  }
  Checker c;
  CHECK(Check(chain, &c).empty());
  CHECK(c.before_chain() == 2);
  CHECK(c.checked() == 2);
  Record late;
  late.id = 5;
  late.action = "sync.push";
  chain.push_back(late);
  CHECK_THAT(Check(chain), Catch::StartsWith("record 5 (") && Catch::Contains("no hash"));
  CHECK(IsPrunable("login.failed"));
  CHECK_FALSE(IsPrunable("conflict.resolved"));
  CHECK(PrunableActionsSql().find("'push.rejected'") != std::string::npos);
}
