#include "scope_repair.h"

#include <algorithm>
#include <sstream>

#include "epoch_heal.h"
#include "protocol/schema.h"
#include "protocol/schema_versions.h"
#include "protocol/vietnam_time.h"
#include "pull_applier.h"
#include "pull_check.h"
#include "status_macros.h"
#include "sync_request.h"

namespace q11::device {
namespace {

constexpr char kDriftKey[] = "drift_reports";
constexpr int64_t kMinuteMs = 60'000;
constexpr int64_t kDayMs = 24 * 60 * kMinuteMs;

std::string BackoffKey(const std::string& audience) { return "scope_repair:" + audience; }

std::string SumText(const wire::ScopeSum& s) {
  return std::to_string(s.rows) + " rows, " + s.Hex();
}

}  // namespace

Result<ScopeCopy> FetchScope(DatabaseImpl& db, Transport& transport, const Account& account,
                             const std::string& audience, const RetryPolicy& retry,
                             uint32_t max_pull_rows, int max_pages) {
  ScopeCopy copy;
  Q11_ASSIGN_OR_RETURN(copy.scratch, sql::Db::Open(":memory:"));
  // The synced tables alone (no reference rows): the scratch holds only what the server sends.
  Q11_RETURN_IF_ERROR(copy.scratch.Exec(schema::SyncedTablesSql()));
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> epoch, db.meta().Get(kServerEpochKey));
  for (int page = 0;; ++page) {
    if (page >= std::max(1, max_pages))
      return Unavailable("the scope " + audience + " did not fit in " + std::to_string(page) +
                         " pages");
    wire::SyncRequest req;
    req.device_id = db.DeviceId();
    req.cursor = copy.cursor;
    req.max_pull_rows = max_pull_rows;
    req.client = kClientName;
    req.schema_version = schema::kSyncedSchemaVersion;
    req.full_pull = true;  // every current row, none left out as this device's own echo
    req.scope_only = audience;
    req.known_epoch = epoch.value_or("");
    std::string body = wire::EncodeSyncRequest(req);
    CallStats stats;
    Result<HttpReply> reply = PostWithRetry(transport, db.env(), "/v1/sync", kSyncContentType, body,
                                            account.token, retry, &stats);
    copy.bytes_up += stats.bytes_up;
    copy.bytes_down += stats.bytes_down;
    if (!reply.ok()) return reply.status();
    if (reply->content_type.compare(0, sizeof(kSyncContentType) - 1, kSyncContentType) != 0)
      return DataLoss("the server answered with " + reply->content_type + ", not a sync response");
    Q11_ASSIGN_OR_RETURN(wire::SyncResponse resp, wire::DecodeSyncResponse(reply->body));
    if (!resp.epoch.empty() && epoch && !epoch->empty() && *epoch != resp.epoch)
      return FailedPrecondition(
          "máy chủ đã được khôi phục từ bản sao lưu: hãy đồng bộ trước / the server was "
          "restored from a backup: sync first");
    if (!resp.verdicts.empty())
      return DataLoss("the server answered verdicts to a request that pushed nothing");
    ++copy.pages;
    if (!resp.pull_changeset.empty()) {
      Q11_RETURN_IF_ERROR(CheckPulledChangeset(copy.scratch, resp.pull_changeset));
      // The server is the authority, as in a pull: a row it sends again replaces ours, a
      // tombstone for a row not (yet) here is done.
      sql::ConflictHandler handler = [](int kind, sqlite3_changeset_iter*) {
        return kind == SQLITE_CHANGESET_DATA || kind == SQLITE_CHANGESET_CONFLICT
                   ? sql::ConflictAction::kReplace
                   : sql::ConflictAction::kOmit;
      };
      Q11_RETURN_IF_ERROR(sql::ApplyChangeset(copy.scratch, resp.pull_changeset, handler));
    }
    copy.cursor = resp.cursor;
    if (resp.has_more) continue;
    for (const wire::SyncResponse::ScopeCheck& sc : resp.scope_sums)
      if (sc.audience == audience) copy.server_sum = sc.sum;
    return copy;
  }
}

Result<ScopeRows> ReplicaScopeRows(DatabaseImpl& db, const std::string& audience) {
  // Undone inside a transaction that is never committed: the file does not change.
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db()));
  Q11_RETURN_IF_ERROR(UndoOutbox(db));
  return ReadScopeRows(db.db(), ScopeTables(audience));
}

Result<RepairOutcome> RepairScope(DatabaseImpl& db, ScopeCopy& copy, const std::string& audience,
                                  bool apply) {
  const std::vector<std::string>& tables = ScopeTables(audience);
  RepairOutcome out;
  Q11_ASSIGN_OR_RETURN(ScopeRows server, ReadScopeRows(copy.scratch, tables));
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db()));
  Q11_RETURN_IF_ERROR(UndoOutbox(db));
  Q11_ASSIGN_OR_RETURN(ScopeRows mine, ReadScopeRows(db.db(), tables));
  out.diffs = DiffScopeRows(mine, server);
  if (!copy.server_sum) {
    out.problem =
        "máy chủ không gửi tổng kiểm tra của phạm vi này / the server sent no checksum for "
        "this scope";
    return out;  // rolled back: nothing changed
  }
  if (!(server.sum == *copy.server_sum)) {
    // The server's own rows disagree with what it says they add up to: copying them could
    // not be checked, so nothing is changed (and the device backs off).
    out.problem = "các dòng máy chủ gửi không khớp với tổng kiểm tra của chính máy chủ (" +
                  SumText(server.sum) + "; máy chủ nói " + SumText(*copy.server_sum) +
                  ") / the server's rows do not add up to its own checksum (" +
                  SumText(server.sum) + "; it says " + SumText(*copy.server_sum) + ")";
    return out;
  }
  if (mine.sum == *copy.server_sum) {
    out.converged = true;  // already equal (the server moved on since the check): no change
    return out;
  }
  if (!apply) return out;
  Q11_RETURN_IF_ERROR(MakeRowsEqual(db.db(), copy.scratch, out.diffs));
  Q11_ASSIGN_OR_RETURN(wire::ScopeSum after, ScopeSumOf(db.db(), tables));
  if (!(after == *copy.server_sum)) {
    out.problem = "sau khi sửa vẫn không khớp (" + SumText(after) +
                  ") / still different after the repair (" + SumText(after) + ")";
    return out;  // rolled back
  }
  int64_t omitted = 0;
  Q11_RETURN_IF_ERROR(ReplayOutbox(db, &omitted));
  Q11_RETURN_IF_ERROR(tx.Commit());
  out.converged = true;
  return out;
}

int64_t ScopeBackoffMs(int attempts) {
  int64_t wait = kMinuteMs;
  for (int i = 1; i < attempts && wait < kDayMs; ++i) wait *= 2;
  return std::min(wait, kDayMs);
}

Result<ScopeBackoff> LoadScopeBackoff(DatabaseImpl& db, const std::string& audience) {
  ScopeBackoff b;
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, db.meta().Get(BackoffKey(audience)));
  if (!v || v->empty()) return b;
  std::istringstream in(*v);
  int repaired = 0;
  in >> b.attempts >> b.next_ms >> repaired >> b.rows;
  if (in.fail()) return ScopeBackoff{};  // unreadable: start again rather than stall
  b.last_repaired = repaired != 0;
  return b;
}

Status SaveScopeBackoff(DatabaseImpl& db, const std::string& audience, const ScopeBackoff& b) {
  return db.meta().Set(BackoffKey(audience),
                       std::to_string(b.attempts) + " " + std::to_string(b.next_ms) + " " +
                           (b.last_repaired ? "1 " : "0 ") + std::to_string(b.rows));
}

Status ClearScopeBackoff(DatabaseImpl& db, const std::string& audience) {
  return db.meta().Erase(BackoffKey(audience));
}

Result<std::vector<wire::DriftReport>> PendingDriftReports(DatabaseImpl& db) {
  std::vector<wire::DriftReport> out;
  Q11_ASSIGN_OR_RETURN(std::optional<std::string> v, db.meta().Get(kDriftKey));
  if (!v) return out;
  // One line each: audience TAB rows TAB 0|1 (audiences are printable ASCII, no tabs).
  std::istringstream in(*v);
  std::string line;
  while (std::getline(in, line) && out.size() < wire::kMaxDriftReports) {
    size_t a = line.find('\t'), b = line.rfind('\t');
    if (a == std::string::npos || a == b) continue;
    wire::DriftReport r;
    r.audience = line.substr(0, a);
    try {
      r.rows_differing = static_cast<uint32_t>(std::stoul(line.substr(a + 1, b - a - 1)));
    } catch (const std::exception&) {
      continue;
    }
    r.repaired = line.substr(b + 1) == "1";
    if (!r.audience.empty()) out.push_back(std::move(r));
  }
  return out;
}

namespace {
Status StoreDriftReports(DatabaseImpl& db, const std::vector<wire::DriftReport>& reports) {
  if (reports.empty()) return db.meta().Erase(kDriftKey);
  std::string text;
  for (const wire::DriftReport& r : reports)
    text += r.audience + "\t" + std::to_string(r.rows_differing) + "\t" + (r.repaired ? "1" : "0") +
            "\n";
  return db.meta().Set(kDriftKey, text);
}
}  // namespace

Status QueueDriftReport(DatabaseImpl& db, const wire::DriftReport& report) {
  Q11_ASSIGN_OR_RETURN(std::vector<wire::DriftReport> reports, PendingDriftReports(db));
  reports.erase(
      std::remove_if(reports.begin(), reports.end(),
                     [&](const wire::DriftReport& r) { return r.audience == report.audience; }),
      reports.end());
  reports.push_back(report);
  while (reports.size() > wire::kMaxDriftReports) reports.erase(reports.begin());
  return StoreDriftReports(db, reports);
}

Status ForgetSentDriftReports(DatabaseImpl& db, const std::vector<wire::DriftReport>& sent) {
  if (sent.empty()) return Status::Ok();
  Q11_ASSIGN_OR_RETURN(std::vector<wire::DriftReport> reports, PendingDriftReports(db));
  // Only a report exactly as sent: one queued since (a newer outcome) stays for the next.
  reports.erase(std::remove_if(
                    reports.begin(), reports.end(),
                    [&](const wire::DriftReport& r) {
                      return std::any_of(sent.begin(), sent.end(), [&](const wire::DriftReport& s) {
                        return s.audience == r.audience && s.rows_differing == r.rows_differing &&
                               s.repaired == r.repaired;
                      });
                    }),
                reports.end());
  return StoreDriftReports(db, reports);
}

Result<ScopeDrift> HandleScopeDrift(DatabaseImpl& db, Transport& transport, const Account& account,
                                    const std::string& audience, const RetryPolicy& retry,
                                    uint32_t max_pull_rows, int max_pages, bool* reported) {
  *reported = false;
  ScopeDrift drift;
  drift.audience = audience;
  Q11_ASSIGN_OR_RETURN(ScopeBackoff backoff, LoadScopeBackoff(db, audience));
  const int64_t now = db.env().NowMs();
  if (backoff.attempts > 0 && now < backoff.next_ms) {
    drift.backing_off = true;
    drift.next_try_ms = backoff.next_ms;
    drift.rows_differing = backoff.rows;
    drift.message = "chưa sửa lại trước " + vntime::FormatForPeople(backoff.next_ms) +
                    ": lần sửa trước chưa làm khớp / not repaired again before " +
                    vntime::FormatForPeople(backoff.next_ms) +
                    ": the last repair did not make it agree";
    if (backoff.last_repaired) {
      // The repair had converged, yet the drift is back: it did not hold. Said once.
      backoff.last_repaired = false;
      Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db()));
      Q11_RETURN_IF_ERROR(SaveScopeBackoff(db, audience, backoff));
      Q11_RETURN_IF_ERROR(QueueDriftReport(db, {audience, backoff.rows, false}));
      Q11_RETURN_IF_ERROR(tx.Commit());
      *reported = true;
    }
    return drift;
  }
  Q11_ASSIGN_OR_RETURN(ScopeCopy copy, FetchScope(db, transport, account, audience, retry,
                                                  max_pull_rows, max_pages));
  Q11_ASSIGN_OR_RETURN(RepairOutcome outcome, RepairScope(db, copy, audience));
  drift.rows_differing = static_cast<uint32_t>(outcome.diffs.size());
  drift.repaired = outcome.converged;
  drift.message = outcome.problem;
  backoff.attempts += 1;
  backoff.next_ms = db.env().NowMs() + ScopeBackoffMs(backoff.attempts);
  backoff.last_repaired = outcome.converged;
  backoff.rows = drift.rows_differing;
  if (!outcome.converged) {
    drift.next_try_ms = backoff.next_ms;
    drift.message += " — thử lại sau " + vntime::FormatForPeople(backoff.next_ms) +
                     " / next try after " + vntime::FormatForPeople(backoff.next_ms);
  }
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db()));
  Q11_RETURN_IF_ERROR(SaveScopeBackoff(db, audience, backoff));
  Q11_RETURN_IF_ERROR(QueueDriftReport(db, {audience, drift.rows_differing, drift.repaired}));
  Q11_RETURN_IF_ERROR(tx.Commit());
  *reported = true;
  return drift;
}

}  // namespace q11::device
