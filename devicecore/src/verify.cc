// Verify(): catch up with a pull, compare each scope's checksum, list the rows of a scope
// that differs from a scratch copy of the server's, and repair it when asked.
#include "devicecore/verify.h"

#include "protocol/json_value.h"
#include "scope_repair.h"
#include "status_macros.h"
#include "sync_exchange.h"

namespace q11::device {

Result<VerifyReport> Verify(Database& database, Transport& transport,
                            const VerifyOptions& options) {
  DatabaseImpl* db = DatabaseImpl::From(database);
  if (db == nullptr) return InvalidArgument("Verify needs a Database made by Database::Open");
  SyncOptions sync;
  sync.max_attempts = options.max_attempts;
  sync.initial_backoff_ms = options.initial_backoff_ms;
  sync.max_pull_rows = options.max_pull_rows;
  // 1. Up to the server's latest changes, none of ours sent: the device's copy without its
  // pending changes is then comparable with the server's scopes as they are now.
  ExchangeMode mode;
  mode.push = false;
  mode.repair = false;
  mode.photos = false;
  Q11_ASSIGN_OR_RETURN(ExchangeOutcome caught, Exchange(db, transport, sync, mode));
  if (caught.result.has_more)
    return Unavailable("the server still had changes after " +
                       std::to_string(caught.result.round_trips) + " pages: verify again");
  if (caught.last_checks.empty())
    return FailedPrecondition(
        "máy chủ không gửi tổng kiểm tra (máy chủ cũ hơn ứng dụng) / the server sends no scope "
        "checksums: it is older than this app");
  Q11_ASSIGN_OR_RETURN(Account account, db->GetAccount());  // its tokens may be new
  const RetryPolicy retry{options.max_attempts, options.initial_backoff_ms};

  VerifyReport report;
  report.cursor = caught.result.cursor;
  for (const ApplyOutcome::ScopeCheck& check : caught.last_checks) {
    ScopeVerdict v;
    v.audience = check.audience;
    v.device_rows = check.device.rows;
    v.device_checksum = check.device.Hex();
    v.server_rows = check.server.rows;
    v.server_checksum = check.server.Hex();
    v.equal = check.equal();
    if (!v.equal) {
      // 2. Which rows: the server's rows of this scope into a scratch copy, compared row
      // by row with ours (without the pending changes); with `repair`, made equal.
      Q11_ASSIGN_OR_RETURN(ScopeCopy copy, FetchScope(*db, transport, account, check.audience,
                                                      retry, options.max_pull_rows, 1000));
      if (copy.server_sum) {
        v.server_rows = copy.server_sum->rows;
        v.server_checksum = copy.server_sum->Hex();
      }
      Q11_ASSIGN_OR_RETURN(RepairOutcome outcome,
                           RepairScope(*db, copy, check.audience, options.repair));
      for (const RowDiff& d : outcome.diffs)
        v.differences.push_back({d.table, d.id, RowDiffKindName(d.kind)});
      v.problem = outcome.problem;
      if (outcome.converged && outcome.diffs.empty()) {
        v.equal = true;  // the server had moved on since the check; the rows agree
      } else if (options.repair) {
        v.repaired = outcome.converged;
        v.equal = outcome.converged;
        Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db->db()));
        if (outcome.converged) Q11_RETURN_IF_ERROR(ClearScopeBackoff(*db, check.audience));
        // The server hears of it at the next sync, as of a repair the sync made.
        Q11_RETURN_IF_ERROR(QueueDriftReport(
            *db, {check.audience, static_cast<uint32_t>(outcome.diffs.size()), outcome.converged}));
        Q11_RETURN_IF_ERROR(tx.Commit());
      }
      if (v.repaired) {
        Q11_ASSIGN_OR_RETURN(ScopeRows now, ReplicaScopeRows(*db, check.audience));
        v.device_rows = now.sum.rows;
        v.device_checksum = now.sum.Hex();
      }
    }
    report.equal = report.equal && v.equal;
    report.scopes.push_back(std::move(v));
  }
  return report;
}

std::string VerifyReportToJson(const VerifyReport& report) {
  using json::Value;
  Value o = json::Object();
  o.Set("equal", report.equal);
  o.Set("cursor", report.cursor);
  Value scopes = json::Array();
  for (const ScopeVerdict& v : report.scopes) {
    Value s = json::Object();
    s.Set("audience", v.audience);
    s.Set("equal", v.equal);
    s.Set("device_rows", v.device_rows);
    s.Set("server_rows", v.server_rows);
    s.Set("device_checksum", v.device_checksum);
    s.Set("server_checksum", v.server_checksum);
    s.Set("repaired", v.repaired);
    if (!v.problem.empty()) s.Set("problem", v.problem);
    Value diffs = json::Array();
    for (const RowDifference& d : v.differences) {
      Value r = json::Object();
      r.Set("table", d.table);
      r.Set("id", d.id);
      r.Set("kind", d.kind);
      diffs.Append(r);
    }
    s.Set("differences", diffs);
    scopes.Append(s);
  }
  o.Set("scopes", scopes);
  return o.Write();
}

}  // namespace q11::device
