// Retention of the two tables that grow with every request: the idempotency ledger
// (applied_batches, verdict_ledger.h) and the security side of the audit trail.
//
// Ledger rule. A verdict is kept so that a device retrying an entry whose answer it lost
// gets the same answer, and the entry is never applied twice. A device retries an entry
// only while it is pending, and every sync pushes its pending entries again; so once the
// device has pushed again after the verdict was recorded (devices.last_seen is later),
// that retry has been answered from the ledger or the entry was already settled. A row is
// deleted when it is older than `ledger_days` AND its device has pushed since. A device
// never heard from again keeps its rows (it may come back from months offline); the rows
// a device can make are bounded by its own pushes, which are rate limited.
//
// Audit rule. Rows of the high-volume security actions (http.refused, login.failed,
// login.succeeded, refresh.refused, push.rejected) older than `audit_days` lose their
// content (who, subject, details), keeping their place in the hash chain (audit_chain.h);
// rows from before the chain are deleted. Accountability rows (contact.read, account.*, logout,
// open311.request, conflict.*, row.deleted) are kept.
//
// Deletes run through the server's writer (db_writer.h), `batch` rows per transaction, so
// a push never waits long behind them.
#pragma once

#include <cstdint>
#include <functional>

#include "protocol/result.h"
#include "store/db_writer.h"

namespace q11::server {

struct Retention {
  int ledger_days = 30;  // 0: keep the ledger
  int audit_days = 90;   // 0: keep the audit trail
};

class HistoryPruner {
 public:
  // REQUIRES: `writer` outlives this. `clock_ms`: Unix milliseconds (StoreOptions::clock in
  // tests).
  HistoryPruner(DbWriter& writer, Retention retention, std::function<int64_t()> clock_ms)
      : writer_(writer), retention_(retention), clock_ms_(std::move(clock_ms)) {}

  struct Pruned {
    int64_t ledger_rows = 0;
    int64_t audit_rows = 0;
  };
  // Deletes up to `batch` rows of each table in one transaction. Call again while a count
  // equals `batch`.
  Result<Pruned> PruneOnce(int64_t batch);
  // Runs PruneOnce until both tables are done.
  Result<Pruned> PruneAll(int64_t batch);

 private:
  DbWriter& writer_;
  const Retention retention_;
  std::function<int64_t()> clock_ms_;
};

}  // namespace q11::server
