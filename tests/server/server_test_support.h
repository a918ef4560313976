// What the server tests share: a temporary folder, a "device" database that turns SQL into
// real changesets with the session extension, and a store with accounts of every role.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "q11sqlite/sqlite.h"
#include "store/sqlite/sqlite_conn.h"
#include "syncserver/account.h"
#include "syncserver/store.h"

namespace q11::server::test {

// A fresh folder under /tmp, removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// An in-memory database with the synced schema and reference data, like a phone's.
class DeviceDb {
 public:
  // `ddl` replaces the synced schema (to make changesets of other shapes).
  explicit DeviceDb(const std::string& ddl = "");
  // Runs `sql` under a fresh session and returns the changeset it produced.
  std::string Capture(const std::string& sql);
  void Exec(const std::string& sql);
  sql::Db& db() { return conn_.db(); }
  SqlConn& conn() { return conn_; }

 private:
  SqliteConn conn_;
};

// The fixed clock of the tests: 2026-11-27T09:00:00Z.
inline constexpr int64_t kNowMs = 1795770000000;

// A store in a temp folder with one account of each kind.
struct StoreFixture {
  StoreFixture();
  Account AddAccount(const std::string& name, Role role, const std::string& unit = "");
  // One entry pushed by `device`; returns its verdict.
  wire::EntryVerdict PushOne(const Account& who, const std::string& device, uint64_t local_seq,
                             const std::string& changeset);
  // A direct connection to the same database, for checking what was stored.
  std::string Query(const std::string& sql);

  TempDir dir;
  std::string db_path;
  std::unique_ptr<Store> store;
  int64_t now_ms = kNowMs;  // the store's clock; tests move it
  Account citizen, other_citizen, official_p04, official_p05, official_q11, leader;
};

// A report INSERT as a citizen's phone writes it.
std::string InsertReportSql(const std::string& id, const std::string& ward = "p04",
                            const std::string& category = "rac-thai",
                            const std::string& title = "Rác tồn đọng");

// A fresh UUIDv7-looking id, different on every call.
std::string NewId();

// Brings `dev` up to date with everything `who` may see (a pull from cursor 0): rows
// replace local ones, tombstones of rows the device lacks are skipped.
void PullInto(StoreFixture& f, const Account& who, DeviceDb& dev);

// One column of a hand-made UPDATE: text values, nullopt for "not in the changeset".
struct ForgedColumn {
  std::string name;
  std::optional<std::string> old_value, new_value;
};

// The bytes of a changeset with one UPDATE of reports row `id`, exactly as given: what a
// modified app can send and SQLite's session would never write (a previous value missing,
// or equal to the new one).
std::string ForgedReportUpdate(const std::string& id, const std::vector<ForgedColumn>& columns);

// Checks that `v` is a rejection (nothing applied) whose message contains `needle`.
void RequireRejected(const wire::EntryVerdict& v, const std::string& needle);

}  // namespace q11::server::test
