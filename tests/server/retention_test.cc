// Retention of the idempotency ledger and the security audit (history_pruner.h), with a
// clock the test moves: old verdicts go once their device has pushed again, a device not
// heard from keeps its verdicts (and a retry of them is still answered, not re-applied);
// old high-volume audit rows go, accountability rows stay.
#include <atomic>
#include <catch2/catch.hpp>

#include "audit/security_audit.h"
#include "auth/accounts.h"
#include "server_test_support.h"
#include "store/db_writer.h"
#include "store/sql/history_pruner.h"
#include "store/sqlite/sqlite_store.h"

using namespace q11;
using namespace q11::server;
using namespace q11::server::test;

TEST_CASE("Retention: ledger rows go when old and their device pushed since - old audit rows go") {
  constexpr int64_t kDay = 24 * 3600 * 1000LL;
  TempDir dir;
  std::atomic<int64_t> now{kNowMs};
  auto clock = [&] { return now.load(); };
  StoreOptions options;
  options.clock = clock;
  auto opened = OpenSqliteServerStore(dir.path() + "/syncserver.db", options);
  REQUIRE(opened.ok());
  ServerStore& store = **opened;
  Result<Account> lan =
      CreateAccount(store, NewAccount{"lan", "lan-2026", Role::kCitizen, ""}, kNowMs, 1000);
  REQUIRE(lan.ok());
  DeviceDb phone_a, phone_b;
  auto push_changeset = [&](const std::string& device, uint64_t seq, const std::string& cs) {
    REQUIRE(store.BindDevice(device, *lan).ok());
    auto v = store.Push(*lan, device, {{seq, cs}}, std::nullopt);
    REQUIRE(v.ok());
    REQUIRE(v->size() == 1);
    return (*v)[0];
  };
  auto push = [&](DeviceDb& phone, const std::string& device, uint64_t seq, const std::string& id) {
    return push_changeset(device, seq, phone.Capture(InsertReportSql(id)));
  };
  push(phone_a, "dev-a", 1, NewId());
  std::string b_id = NewId();
  std::string b_changeset = phone_b.Capture(InsertReportSql(b_id));
  wire::EntryVerdict b1 = push_changeset("dev-b", 1, b_changeset);
  auto audit = SecurityAudit::Open(dir.path() + "/syncserver.db", clock);
  REQUIRE(audit.ok());
  REQUIRE((*audit)->Record("-", "http.refused", "address/127.0.0.1", "{}").ok());
  REQUIRE((*audit)->Record("lan", "login.failed", "user/lan", "{}").ok());
  REQUIRE((*audit)->Record("admin", "contact.read", "user/lan", "{}").ok());

  // 31 days later device A pushes again; device B has not been heard from.
  now += 31 * kDay;
  push(phone_a, "dev-a", 2, NewId());
  REQUIRE((*audit)->Record("lan", "login.failed", "user/lan", "{}").ok());

  auto count = [&](const std::string& sql) {
    auto db = sql::Db::Open(dir.path() + "/syncserver.db", false);
    REQUIRE(db.ok());
    return *db->QueryText(sql);
  };
  HistoryPruner pruner(store, Retention{30, 30}, clock);
  // Batches of one: the loop runs until both tables are done.
  Result<HistoryPruner::Pruned> pruned = pruner.PruneAll(1);
  REQUIRE(pruned.ok());
  CHECK(pruned->ledger_rows == 1);
  CHECK(pruned->audit_rows == 2);
  CHECK(count("SELECT group_concat(device_id || ':' || local_seq) FROM applied_batches") ==
        "dev-a:2,dev-b:1");
  CHECK(count("SELECT group_concat(action) FROM (SELECT action FROM audit_log WHERE pruned = 0 "
              "AND action <> 'sync.push' ORDER BY id)") == "contact.read,login.failed");
  // The pruned rows keep their place in the chain, without their content.
  CHECK(count("SELECT group_concat(action || ':' || actor || ':' || subject) FROM (SELECT * "
              "FROM audit_log WHERE pruned = 1 ORDER BY id)") == "http.refused::,login.failed::");
  // Device B comes back and retries its entry: still answered from the ledger.
  wire::EntryVerdict again = push_changeset("dev-b", 1, b_changeset);
  CHECK(again.verdict == b1.verdict);
  CHECK(again.server_seq == b1.server_seq);
  CHECK(count("SELECT count(*) FROM reports WHERE id = '" + b_id + "'") == "1");
  // That retry was answered: the row has done its job and goes in the next round; the
  // recent one stays.
  pruned = pruner.PruneAll(100);
  REQUIRE(pruned.ok());
  CHECK(pruned->ledger_rows == 1);
  CHECK(pruned->audit_rows == 0);
  CHECK(count("SELECT group_concat(device_id || ':' || local_seq) FROM applied_batches") ==
        "dev-a:2");
}
