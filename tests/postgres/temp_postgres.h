// A throwaway PostgreSQL server for tests (docs/postgres.md, "Testing").
//
//   auto pg = q11::test::TempPostgres::Start();   // Result<std::unique_ptr<TempPostgres>>
//   ... pg.value()->url() ...                     // postgresql://q11@127.0.0.1:PORT/q11test
//   // the destructor stops the server and removes every file, also when a test fails
//
// Start() makes a new temporary folder (in /dev/shm when there is room, else $TMPDIR or
// /tmp; $Q11_PG_TMPDIR overrides), fills its data/ with a copy of a template cluster (made
// once per build by Debian's initdb in build/tests/postgres/pg-template: trust
// authentication, superuser "q11", no fsync; without the template, initdb runs right
// there), starts `postgres` on 127.0.0.1 with a free port and its Unix socket inside that
// folder (never the system's /var/run/postgresql), waits until it accepts connections and
// creates the database q11test. About 0.3 s with the template in place, 2 s without.
// PostgreSQL refuses to run as root: then the folder is given to the `postgres` system user
// (created by Debian's package) and initdb and postgres run as that user. The server gets
// SIGQUIT if the test process dies without its destructor running (PR_SET_PDEATHSIG); the
// folder it leaves then is removed by the next Start() (its owner.pid names a dead process).
// Q11_PG_KEEP=1 keeps the folder (server.log) for a post-mortem.
//
// The binaries: $Q11_PG_BINDIR, else the newest /usr/lib/postgresql/*/bin (Debian).
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>

#include "protocol/result.h"

namespace q11::test {

// The folder holding initdb and postgres, or nullopt with the reason in `why`.
std::optional<std::string> FindPostgresBinaries(std::string* why);

class TempPostgres {
 public:
  static Result<std::unique_ptr<TempPostgres>> Start();
  ~TempPostgres();
  TempPostgres(const TempPostgres&) = delete;
  TempPostgres& operator=(const TempPostgres&) = delete;

  // postgresql://q11@127.0.0.1:PORT/q11test
  const std::string& url() const { return url_; }
  pid_t pid() const { return pid_; }  // the postmaster
  // The same server, another database (which must exist: CreateDatabase).
  std::string UrlFor(const std::string& database) const;
  Status CreateDatabase(const std::string& name);
  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  // Stops the server (a fast shutdown: connections are cut) and starts it again on the
  // same port and data, as an operator's restart or a failover would look to clients.
  Status Restart();
  // The server's log (for a failing test's message).
  std::string LogTail(size_t max_bytes = 4000) const;

 private:
  struct Key {};  // only Start() constructs one

 public:
  explicit TempPostgres(Key) {}

 private:
  Status Launch(const std::string& bindir);
  Status StartPostmaster();  // on port_; kAlreadyExists when the port is taken
  void Stop();

  std::string dir_;  // the temporary folder: data/, the socket, server.log
  std::string bindir_;
  pid_t pid_ = -1;  // the postmaster
  int port_ = 0;
  std::string url_;
  std::optional<std::pair<uid_t, gid_t>> run_as_;  // the postgres user when we are root
};

// For Catch2 tests: a started server; when PostgreSQL's binaries are missing, exits the
// test process with 77 (ctest's SKIP_RETURN_CODE) — unless CI is set (and not "false") or
// Q11_REQUIRE_POSTGRES=1, where that is a failure (exit 1): CI must not go green by
// skipping. A server that is there but fails to start is always a failure (kInternal).
Result<std::unique_ptr<TempPostgres>> StartOrSkip();

}  // namespace q11::test
