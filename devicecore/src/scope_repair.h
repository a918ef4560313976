// Repairing one scope that did not add up to the server's checksum (docs/architecture.md,
// "One sync, step by step", verify; docs/protocol.md, "Verified convergence").
//
//   1. FetchScope: scope-only full pulls from cursor 0 (following has_more, nothing pushed,
//      the device's cursor untouched) into a scratch database in memory with the synced
//      tables; the last page's checksum is the server's word for the scope.
//   2. RepairScope: the scratch must add up to that checksum (else the server's own rows
//      disagree with it: nothing is changed). Then in ONE transaction on the replica: undo
//      the outbox, make the scope's tables equal to the scratch (insert the missing rows,
//      replace the changed ones, delete the extra ones), check that the sums now agree
//      (else roll back), replay the outbox. Pending changes survive and go up later.
//   3. The drift report (audience, rows differing, repaired) waits in device_meta for the
//      next sync request (section 7), and is forgotten when an answer to it is applied.
//   4. A repair that does not converge, or a drift that comes back after one, makes the
//      device back off that scope: 1 minute after the first attempt, doubling to 1 day
//      (device_meta, the Env's clock). A scope that adds up again clears it.
// Never a full reset: only the differing rows of one scope change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "database_impl.h"
#include "devicecore/sync.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/sqlite.h"
#include "scope_rows.h"
#include "server_call.h"

namespace q11::device {

// The server's rows of one scope, in a scratch database.
struct ScopeCopy {
  sql::Db scratch;
  std::optional<wire::ScopeSum> server_sum;  // absent: the server sent no checksum for it
  uint64_t cursor = 0;                       // the server's position at the last page
  int pages = 0;
  int64_t bytes_up = 0, bytes_down = 0;
};

// Errors: those of a sync's round trip; kFailedPrecondition when the server answers with
// another epoch (a restore: the next sync rebuilds the copy first).
Result<ScopeCopy> FetchScope(DatabaseImpl& db, Transport& transport, const Account& account,
                             const std::string& audience, const RetryPolicy& retry,
                             uint32_t max_pull_rows, int max_pages);

// The scope's rows on the device as they are without its pending changes (the outbox is
// undone in a transaction that is rolled back: nothing changes).
Result<ScopeRows> ReplicaScopeRows(DatabaseImpl& db, const std::string& audience);

struct RepairOutcome {
  std::vector<RowDiff> diffs;  // the device's rows (without pending changes) vs the server's
  bool converged = false;      // the device's rows now add up to the server's checksum
  std::string problem;         // why not, in Vietnamese and English
};

// Step 2 above. With `apply` false only compares (the diffs, and the problem when the
// server's rows do not add up to its own checksum).
Result<RepairOutcome> RepairScope(DatabaseImpl& db, ScopeCopy& copy, const std::string& audience,
                                  bool apply = true);

// The backoff of one scope's repairs (device_meta "scope_repair:<audience>").
struct ScopeBackoff {
  int attempts = 0;            // repairs since the scope last added up
  int64_t next_ms = 0;         // no new attempt before (Unix ms)
  bool last_repaired = false;  // the last attempt converged (a drift after it came back)
  uint32_t rows = 0;           // rows differing at the last attempt
};
Result<ScopeBackoff> LoadScopeBackoff(DatabaseImpl& db, const std::string& audience);
Status SaveScopeBackoff(DatabaseImpl& db, const std::string& audience, const ScopeBackoff& b);
Status ClearScopeBackoff(DatabaseImpl& db, const std::string& audience);
// The wait after `attempts` attempts: 1 minute, doubling, at most 1 day.
int64_t ScopeBackoffMs(int attempts);

// Drift reports waiting for the next sync request (at most wire::kMaxDriftReports, one
// per audience: a newer report of the same scope replaces the older one).
Result<std::vector<wire::DriftReport>> PendingDriftReports(DatabaseImpl& db);
Status QueueDriftReport(DatabaseImpl& db, const wire::DriftReport& report);
// Forgets the reports a request carried, once its answer is applied (caller's transaction).
Status ForgetSentDriftReports(DatabaseImpl& db, const std::vector<wire::DriftReport>& sent);

// A sync found `audience` different from the server's checksum: repair it unless backing
// off (step 4), record the outcome (backoff, drift report). `drift.repaired`,
// `backing_off` and `message` say what happened; *reported is true when a new drift report
// waits to go up. Errors (the network, the database) leave the replica as it was.
Result<ScopeDrift> HandleScopeDrift(DatabaseImpl& db, Transport& transport, const Account& account,
                                    const std::string& audience, const RetryPolicy& retry,
                                    uint32_t max_pull_rows, int max_pages, bool* reported);

}  // namespace q11::device
