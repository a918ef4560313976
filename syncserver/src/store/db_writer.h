// The one way the server process writes its database.
//
// Why: SQLite drops a connection's whole page cache when another connection has committed
// since its last transaction. While logins, token refreshes and the security audit wrote
// on connections of their own, every login left the push writer's cache (8 MiB) cold, and
// the next large push read its pages back and grew the cache again (a fifth of the
// benchmark's C1 push). So in the server every write goes through the store's single write
// connection, in the transaction the group commit is about to make durable anyway
// (group_commit.h). Command-line tools, which write a few rows while the server may be
// running elsewhere, use a connection of their own.
//
// Thread safety: Write() may be called from any number of threads.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "syncserver/store.h"

namespace q11::server {

// A write: runs inside a write transaction on `db`; returning an error takes back what it
// wrote. It may run more than once (group_commit.h): it must only write to the database
// and set its outputs. A result that is a refusal but must still be written (a revoked
// token family) is an output, not the returned Status.
using DbJob = std::function<Status(SqlConn& db)>;

class DbWriter {
 public:
  virtual ~DbWriter() = default;
  // Runs `job` and returns once its writes are durable (its Status), or failed.
  // REQUIRES: not called from inside another job (it would wait for itself).
  virtual Status Write(const DbJob& job) = 0;
};

// A writer on a connection of its own to the database at `db_path` (BEGIN IMMEDIATE ...
// COMMIT around each job, one at a time): for command-line tools and tests.
Result<std::unique_ptr<DbWriter>> OpenOwnWriter(const std::string& db_path);

}  // namespace q11::server
