// Verify: does this device hold exactly what the server says it should? (docs/protocol.md,
// "Verified convergence"; `q11 verify`, q11_verify in the C API.)
//
// Sync() already compares each scope's checksum after every complete pull and repairs a
// scope that differs. Verify() is the same question asked on demand, with the answer in
// detail: it first brings the device up to the server's latest changes without sending
// any of its own (a pull), then compares each scope's rows, as they are without the
// device's pending changes, with the server's checksum; for a scope that differs it
// fetches the server's rows of that scope into a scratch copy and lists every row that
// differs (missing on the device, extra on it, or changed). With `repair` it makes the
// device's rows equal as a sync would (one transaction; pending changes undone first and
// replayed after, so none is lost) and the server hears of the drift at the next sync.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "devicecore/database.h"
#include "devicecore/env.h"
#include "protocol/result.h"

namespace q11::device {

struct VerifyOptions {
  bool repair = false;   // make a scope that differs equal to the server's
  int max_attempts = 4;  // per round trip, as for Sync
  int initial_backoff_ms = 200;
  uint32_t max_pull_rows = 0;  // page size of the pulls; 0: the server's default
};

struct RowDifference {
  std::string table, id;
  std::string kind;  // "missing" (on this device), "extra" (only on this device), "changed"
};

struct ScopeVerdict {
  std::string audience;  // "ref", or the account's own: "all", "u:<unit>", "r:<reporter_ref>"
  uint64_t device_rows = 0, server_rows = 0;
  std::string device_checksum, server_checksum;  // 32 hex characters each
  bool equal = false;
  std::vector<RowDifference> differences;  // by table, then id; empty when equal
  bool repaired = false;                   // repair asked and done: now equal
  // When the comparison or the repair could not be trusted or done, why: the server's own
  // rows do not add up to its checksum, or the rows still differ after the repair.
  std::string problem;
};

struct VerifyReport {
  uint64_t cursor = 0;  // the server's change-log position the device was compared at
  std::vector<ScopeVerdict> scopes;
  bool equal = true;  // every scope equal (after the repair, with `repair`)
};

// Errors: kUnauthenticated (not logged in), kUnavailable (the server could not be reached),
// kFailedPrecondition (the server sends no checksums: older than this app; or it was
// restored from a backup and a q11 sync must rebuild the copy first), those of Sync.
Result<VerifyReport> Verify(Database& db, Transport& transport, const VerifyOptions& options = {});

// {"equal","cursor","scopes":[{"audience","equal","device_rows","server_rows",
//  "device_checksum","server_checksum","repaired","problem" (when any),
//  "differences":[{"table","id","kind"}]}]}
std::string VerifyReportToJson(const VerifyReport& report);

}  // namespace q11::device
