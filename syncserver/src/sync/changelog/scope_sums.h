// Per-audience checksums of the rows devices hold (docs/protocol.md, "Verified
// convergence"; protocol/scope_digest.h): the scope_sums table, one row per audience with
// its current rows' count and digest sum, kept by the change log in every writing
// transaction (change_log.h), and read by a pull in the snapshot of its page.
//
// The truth they stand for: every row in row_log that is not deleted and whose live row
// exists, counted under each audience its latest entry is filed under (row_audience, not
// gone), with its digest as a device holds it (row_digests.h); and, under "ref", every row
// of the published reference tables (protocol/schema.h) that row_log has never seen: the
// built-in rows the server and every device start with (PrepareSyncedTables), which a
// reference set equal to them never rewrites. Their digests wait in unlogged_ref, so that
// the change that first logs one takes its old digest out (change_log.h). ComputeScopeSums() works
// that out from the rows, by one scan: the upgrade to schema version 10 stores it, and
// `syncserver scopes check` compares it with the kept sums.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/result.h"
#include "protocol/scope_digest.h"
#include "store/sql/sql_conn.h"
#include "sync/table_shapes.h"

namespace q11::server {

using ScopeSums = std::map<std::string, wire::ScopeSum, std::less<>>;

// row_log.digest_audiences: the audiences with '\n' between them.
std::string JoinAudiences(const std::vector<std::string>& audiences);
std::vector<std::string_view> SplitAudiences(std::string_view joined);

// *sum += d, each part modulo 2^64 (d may hold removals: see ScopeSum).
void AddScopeSum(wire::ScopeSum* sum, const wire::ScopeSum& d);
// Columns first..first+2 as row_count, sum_hi, sum_lo (signed 64-bit bit patterns).
wire::ScopeSum SumFromColumns(const SqlStmt& st, int first);
void BindScopeSum(SqlStmt& st, int first, const wire::ScopeSum& sum);

// Every kept sum (audiences without rows may be missing or zero).
Result<ScopeSums> ReadScopeSums(SqlConn& db);

// Progress of a scan: rows digested so far, of `total` (row_log rows not deleted).
using ScopeScanProgress = std::function<void(int64_t done, int64_t total)>;

// The sums worked out from the rows (see above). With `store`, also replaces every row's
// counted digest in row_log and the whole scope_sums table with them. REQUIRES: inside a
// transaction (a write transaction with `store`).
Result<ScopeSums> ComputeScopeSums(SqlConn& db, const TableShapes& shapes, bool store,
                                   const ScopeScanProgress& progress = {});

// Whether the database's sums were ever computed (meta 'scope_sums'); if not (a database
// made or upgraded before schema version 10, or a new one), computes and stores them in a
// write transaction of its own. If so, counts any reference row that appeared without the
// change log since (built-in rows a newer build seeds). REQUIRES: no transaction open.
Status EnsureScopeSums(SqlConn& db, const TableShapes& shapes,
                       const ScopeScanProgress& progress = {});

// One audience whose kept sum is not the truth.
struct ScopeDifference {
  std::string audience;
  wire::ScopeSum kept, actual;
};
// The audiences where `kept` and `actual` differ (an audience missing from one counts as
// zero rows there), in audience order.
std::vector<ScopeDifference> CompareScopeSums(const ScopeSums& kept, const ScopeSums& actual);

// The scope an audience is counted by in /metrics (bounded labels, never an id): "ref",
// "all", "unit" (u:...), "reporter" (r:...), else "other".
std::string_view ScopeKind(std::string_view audience);

}  // namespace q11::server
