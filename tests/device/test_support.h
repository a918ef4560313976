// Test doubles and helpers for devicecore tests: a controllable Env, a scripted
// Transport, a scratch "server" database that builds pull changesets the way the server
// does, and a full logical dump of a database file for before/after comparisons.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"

namespace q11::device::test {

// Time moves only when told; randomness is a counter; sleeps are recorded, not slept.
class FakeEnv : public Env {
 public:
  int64_t now_ms = 1'800'000'000'000;  // 2027-01-15
  std::vector<int> sleeps;
  int64_t NowMs() override { return now_ms++; }  // strictly increasing ids and times
  void RandomBytes(uint8_t* out, size_t n) override;
  void SleepMs(int ms) override { sleeps.push_back(ms); }

 private:
  uint64_t counter_ = 0;
};

// A Transport that answers from a script and records every request.
class FakeTransport : public Transport {
 public:
  struct Call {
    std::string path, content_type, body, bearer;
  };
  using Handler = std::function<Result<HttpReply>(const Call&)>;

  // Answers are used in order; when the script runs out, `fallback` answers.
  std::deque<Handler> script;
  Handler fallback;
  std::vector<Call> calls;

  Result<HttpReply> Post(std::string_view path, std::string_view content_type,
                         std::string_view body, std::string_view bearer) override;

  // Decoded sync requests, in order.
  std::vector<wire::SyncRequest> SyncRequests() const;
};

// A 200 reply carrying `resp`.
HttpReply SyncReply(const wire::SyncResponse& resp);
// An HTTP error reply with the server's JSON error body.
HttpReply ErrorReply(int status, const std::string& code, const std::string& message);

// A temporary directory removed (with its files) at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Builds a pull changeset as the server does: rows copied into a scratch in-memory
// database with the synced schema, under a session.
class PullBuilder {
 public:
  PullBuilder();
  // SQL run before the session starts (rows that tombstones will delete).
  PullBuilder& Before(const std::string& sql);
  // SQL run under the session (INSERTs of current rows, DELETEs for tombstones).
  PullBuilder& Change(const std::string& sql);
  std::string Build();

 private:
  sql::Db db_;
  std::vector<std::string> before_, changes_;
};

// Every table of the database file (including the outbox, meta and sqlite_sequence) and
// the header pragmas, as text. Equal dumps: equal contents.
std::string Dump(const std::string& path);

// A logged-in account for tests (no server involved).
Account TestAccount(const std::string& role = "official", const std::string& unit = "q11");

// An INSERT of a reports row as the server would send it.
std::string ReportRowSql(const std::string& id, const std::string& status,
                         const std::string& assigned_unit = "", const std::string& title = "Rác");

// Opens the file with plain SQLite and returns the first column of the first row as text.
std::string Query(const std::string& path, const std::string& sql);

}  // namespace q11::device::test
