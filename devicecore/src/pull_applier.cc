#include "pull_applier.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "changeset_reader.h"
#include "device_schema.h"
#include "epoch_heal.h"
#include "protocol/ids.h"
#include "pull_check.h"
#include "scope_repair.h"
#include "scope_rows.h"
#include "status_macros.h"

namespace q11::device {
namespace {

using sql::ConflictAction;

// The conflict policies of the three phases, in one place.
//
// Undo: takes our own local effect back out. The rows hold exactly what the replay left,
// so conflicts only arise if something else wrote meanwhile; the inverse wins (DATA,
// CONFLICT → REPLACE) and a row already gone stays gone (NOTFOUND → OMIT).
ConflictAction UndoPolicy(int kind) {
  switch (kind) {
    case SQLITE_CHANGESET_DATA:
    case SQLITE_CHANGESET_CONFLICT:
      return ConflictAction::kReplace;
    default:
      return ConflictAction::kOmit;
  }
}

// Pull: the server is the authority. An INSERT meeting an existing row is an update
// (CONFLICT → REPLACE), a tombstone for a row with other values still deletes it
// (DATA → REPLACE), a tombstone for a missing row is done (NOTFOUND → OMIT). A change that
// breaks a local constraint is skipped and counted rather than failing the whole sync.
ConflictAction PullPolicy(int kind, int64_t* omitted) {
  switch (kind) {
    case SQLITE_CHANGESET_DATA:
    case SQLITE_CHANGESET_CONFLICT:
      return ConflictAction::kReplace;
    case SQLITE_CHANGESET_NOTFOUND:
      return ConflictAction::kOmit;
    default:
      ++*omitted;
      return ConflictAction::kOmit;
  }
}

// Replay: a pending local edit wins locally until the server decides (DATA, CONFLICT →
// REPLACE); an edit of a row the server deleted, or one that breaks a constraint, is
// dropped locally (it is still in the outbox and the server will give its verdict).
// An acked entry (applied by the server, its server_seq beyond the cursor: the pull was cut
// short inside it) does not win: a row that differs from what it expects can only be one
// the pull brought after the server applied the entry (the undo put every other row back
// to the entry's base), so it keeps the server's version (DATA, CONFLICT → OMIT). REPLACE
// would put the device's own values back over the columns the server stamped, and no later
// page brings that row again.
ConflictAction ReplayPolicy(int kind, bool acked, int64_t* omitted) {
  switch (kind) {
    case SQLITE_CHANGESET_DATA:
    case SQLITE_CHANGESET_CONFLICT:
      return acked ? ConflictAction::kOmit : ConflictAction::kReplace;
    default:
      ++*omitted;
      return ConflictAction::kOmit;
  }
}

// Adds the rows `changeset` touches to *rows.
Status CollectRows(std::string_view changeset, std::unordered_set<std::string>* rows) {
  ChangesetReader reader(changeset);
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool more, reader.Next());
    if (!more) return Status::Ok();
    rows->insert(reader.RowKey());
  }
}

// Which entries the cursor passes (they leave the outbox with this response) and which of
// those can keep their local effect without being undone at all.
//
// The server leaves out of a pull the rows a device wrote on top of a version it had seen
// (echo suppression, docs/architecture.md), so the pull no longer brings back the rows of a
// passing entry: its local effect must survive the rebase. A passing entry is therefore
// re-applied before the pull (which then overwrites whatever rows it carries with the
// server's versions), and when no other entry touches its rows it is simply never undone:
// after a large push of fast-forward updates, the device does no rebase work at all.
struct RebasePlan {
  std::vector<bool> passing;
  std::vector<bool> keep;
};

Result<RebasePlan> PlanRebase(const std::vector<RebaseEntry>& entries,
                              const wire::SyncResponse& response) {
  RebasePlan plan;
  plan.passing.assign(entries.size(), false);
  plan.keep.assign(entries.size(), false);
  std::unordered_map<int64_t, const wire::EntryVerdict*> verdicts;
  for (const wire::EntryVerdict& v : response.verdicts)
    verdicts[static_cast<int64_t>(v.local_seq)] = &v;
  bool any = false;
  for (size_t i = 0; i < entries.size(); ++i) {
    bool acked = entries[i].acked;
    uint64_t server_seq = static_cast<uint64_t>(entries[i].server_seq);
    auto it = verdicts.find(entries[i].seq);
    if (it != verdicts.end()) {
      const wire::EntryVerdict& v = *it->second;
      if (v.verdict == wire::Verdict::kApplied || v.verdict == wire::Verdict::kMerged) {
        acked = true;
        server_seq = v.server_seq;
      } else if (v.verdict != wire::Verdict::kRetry) {
        acked = false;  // parked or rejected: settled, not passing
      }
    }
    plan.passing[i] = acked && server_seq <= response.cursor;
    any = any || plan.passing[i];
  }
  if (!any) return plan;
  // Rows touched by more than one entry: undoing or replaying the other could disturb them.
  std::vector<std::unordered_set<std::string>> rows(entries.size());
  std::unordered_set<std::string> seen, shared;
  for (size_t i = 0; i < entries.size(); ++i) {
    Q11_RETURN_IF_ERROR(CollectRows(entries[i].changeset, &rows[i]));
    if (entries[i].undo) Q11_RETURN_IF_ERROR(CollectRows(*entries[i].undo, &rows[i]));
    for (const std::string& r : rows[i])
      if (!seen.insert(r).second) shared.insert(r);
  }
  for (size_t i = 0; i < entries.size(); ++i)
    plan.keep[i] = plan.passing[i] &&
                   std::none_of(rows[i].begin(), rows[i].end(),
                                [&shared](const std::string& r) { return shared.count(r) > 0; });
  return plan;
}

Status UndoAll(sql::Db& db, const std::vector<RebaseEntry>& entries) {
  sql::ConflictHandler handler = [](int kind, sqlite3_changeset_iter*) { return UndoPolicy(kind); };
  // The inverses, newest first, concatenated into ONE changeset: a changeset is a sequence
  // of table blocks, so the bytes of several in a row are one valid changeset that applies
  // them in that order. One sqlite3changeset_apply call instead of one per entry saves
  // re-preparing its statements for every entry (most of the undo's cost after a push).
  std::string inverses;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->LocalEffect().empty()) continue;
    Q11_ASSIGN_OR_RETURN(std::string inverse, sql::InvertChangeset(it->LocalEffect()));
    inverses += inverse;
  }
  Status s = sql::ApplyChangeset(db, inverses, handler);
  if (!s.ok()) return Status(s.code(), "undo the pending local changes: " + s.message());
  return Status::Ok();
}

// Puts back the local effect of entries the cursor passes, in order, before the pull
// lands on top of them (see PlanRebase).
Status Reapply(sql::Db& db, const std::vector<RebaseEntry>& entries) {
  sql::ConflictHandler handler = [](int kind, sqlite3_changeset_iter*) { return UndoPolicy(kind); };
  for (const RebaseEntry& e : entries) {
    if (e.LocalEffect().empty()) continue;
    Status s = sql::ApplyChangeset(db, e.LocalEffect(), handler);
    if (!s.ok())
      return Status(s.code(),
                    "re-apply outbox entry #" + std::to_string(e.seq) + ": " + s.message());
  }
  return Status::Ok();
}

// Remembers, for the sync's caller, an entry the user should hear about.
void Tell(ApplyOutcome* out, int64_t seq, const std::string& verdict, const std::string& message,
          const std::string& now,
          const std::unordered_map<int64_t, std::vector<std::string>>& reports) {
  out->messages.push_back("#" + std::to_string(seq) + " " + verdict + ": " + message);
  auto it = reports.find(seq);
  out->settled.push_back(
      {seq, verdict, message, now, it != reports.end() ? it->second : std::vector<std::string>{}});
}

Status Settle(DatabaseImpl& db, const std::vector<int64_t>& sent,
              const std::vector<wire::EntryVerdict>& verdicts, ApplyOutcome* out) {
  std::unordered_set<int64_t> pushed(sent.begin(), sent.end());
  std::string now = FormatUtc(db.env().NowMs());
  // Which reports the entries to tell about touched (read only when there are any).
  std::unordered_map<int64_t, std::vector<std::string>> reports;
  if (std::any_of(verdicts.begin(), verdicts.end(), [](const wire::EntryVerdict& v) {
        return v.verdict != wire::Verdict::kApplied && v.verdict != wire::Verdict::kRetry;
      })) {
    Q11_ASSIGN_OR_RETURN(std::vector<Outbox::EntryReports> entries, db.outbox().ReportsOfEntries());
    for (Outbox::EntryReports& e : entries) reports[e.seq] = std::move(e.report_ids);
  }
  for (const wire::EntryVerdict& v : verdicts) {
    int64_t seq = static_cast<int64_t>(v.local_seq);
    if (!pushed.count(seq))
      return DataLoss("the server answered outbox entry #" + std::to_string(v.local_seq) +
                      ", which this request did not send");
    switch (v.verdict) {
      case wire::Verdict::kApplied:
      case wire::Verdict::kMerged:
        ++(v.verdict == wire::Verdict::kApplied ? out->applied : out->merged);
        Q11_RETURN_IF_ERROR(db.outbox().MarkAcked(seq, static_cast<int64_t>(v.server_seq)));
        // A merge with a message means the server's rules settled a column against us (e.g.
        // workflow precedence kept its status): the entry goes on as acked, and the note is
        // kept where the user sees it.
        if (v.verdict == wire::Verdict::kMerged && !v.message.empty()) {
          Q11_RETURN_IF_ERROR(db.outbox().NoteMerged(seq, v.message, now));
          Tell(out, seq, "merged", v.message, now, reports);
        }
        break;
      case wire::Verdict::kParked:
      case wire::Verdict::kRejected: {
        ++(v.verdict == wire::Verdict::kParked ? out->parked : out->rejected);
        std::string name = wire::VerdictName(v.verdict);
        Q11_RETURN_IF_ERROR(db.outbox().Settle(seq, name, v.message, now));
        Tell(out, seq, name, v.message, now, reports);
        break;
      }
      case wire::Verdict::kRetry:
        ++out->retry;  // stays pending: sent again next time; the user learns why it waits
        if (!v.message.empty())
          out->retry_messages.push_back("#" + std::to_string(seq) + " retry: " + v.message);
        break;
      default:
        return DataLoss("unknown verdict " + std::to_string(static_cast<int>(v.verdict)));
    }
  }
  return Status::Ok();
}

Status ReplayAll(DatabaseImpl& db, int64_t* omitted) {
  Q11_ASSIGN_OR_RETURN(std::vector<RebaseEntry> entries, db.outbox().AllForRebase());
  for (const RebaseEntry& e : entries) {
    sql::ConflictHandler handler = [omitted, acked = e.acked](int kind, sqlite3_changeset_iter*) {
      return ReplayPolicy(kind, acked, omitted);
    };
    // A fresh session per entry captures what this replay really did (its rebased form):
    // that, not the pushed changeset, is what the next sync must undo.
    Q11_ASSIGN_OR_RETURN(sql::Session session, sql::Session::Create(db.db(), SyncedTableNames()));
    Status s = sql::ApplyChangeset(db.db(), e.changeset, handler);
    if (!s.ok())
      return Status(s.code(), "replay outbox entry #" + std::to_string(e.seq) + ": " + s.message());
    Q11_ASSIGN_OR_RETURN(std::string effect, session.Changeset());
    // Unchanged from what is stored (the common case of nothing in between): skip the write.
    if (e.undo ? effect != *e.undo : effect != e.changeset)
      Q11_RETURN_IF_ERROR(db.outbox().SetUndo(e.seq, effect));
  }
  return Status::Ok();
}

}  // namespace

Status RestartFromNewEpoch(DatabaseImpl& db, const std::string& epoch) {
  Q11_ASSIGN_OR_RETURN(Account account, db.GetAccount());
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db()));
  Q11_ASSIGN_OR_RETURN(std::vector<RebaseEntry> entries, db.outbox().AllForRebase());
  Q11_RETURN_IF_ERROR(UndoAll(db.db(), entries));
  // What is left is what the old server acknowledged: the account's own part of it is
  // what the restored server may lack.
  Q11_RETURN_IF_ERROR(KeepOwnRowsAside(db, account));
  Q11_RETURN_IF_ERROR(
      db.db().Exec("DELETE FROM reports; DELETE FROM case_events; DELETE FROM photos"));
  Q11_RETURN_IF_ERROR(db.outbox().ResetAcks());
  Q11_RETURN_IF_ERROR(db.outbox().ForgetEffects());
  Q11_RETURN_IF_ERROR(db.meta().SetCursor(0));
  Q11_RETURN_IF_ERROR(db.meta().Set(kServerEpochKey, epoch));
  Q11_RETURN_IF_ERROR(db.meta().Set(kHealPendingKey, "1"));
  // Originals the old server held: the restored one may not. The upload asks first, so
  // one it has costs a status request.
  Q11_RETURN_IF_ERROR(
      db.db().Exec("UPDATE photo_files SET state = 'unsent', message = '' "
                   "WHERE variant = 'original' AND state = 'sent'"));
  int64_t omitted = 0;
  Q11_RETURN_IF_ERROR(ReplayAll(db, &omitted));
  return tx.Commit();
}

Status UndoOutbox(DatabaseImpl& db) {
  Q11_ASSIGN_OR_RETURN(std::vector<RebaseEntry> entries, db.outbox().AllForRebase());
  return UndoAll(db.db(), entries);
}

Status ReplayOutbox(DatabaseImpl& db, int64_t* omitted) { return ReplayAll(db, omitted); }

Result<ApplyOutcome> ApplySyncResponse(DatabaseImpl& db, const std::vector<int64_t>& sent,
                                       const wire::SyncResponse& response,
                                       const std::vector<wire::DriftReport>& drift_sent) {
  ApplyOutcome out;
  Q11_ASSIGN_OR_RETURN(sql::Transaction tx, sql::Transaction::Begin(db.db()));
  // Before anything is undone or applied: SQLite's apply trusts the pull's table headers
  // (pull_check.h). Inside the transaction, so the schema checked is the one applied to.
  Q11_RETURN_IF_ERROR(CheckPulledChangeset(db.db(), response.pull_changeset));
  Q11_ASSIGN_OR_RETURN(std::vector<RebaseEntry> entries, db.outbox().AllForRebase());
  Q11_ASSIGN_OR_RETURN(RebasePlan plan, PlanRebase(entries, response));
  std::vector<RebaseEntry> undo, reapply;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (plan.keep[i]) continue;
    if (plan.passing[i]) reapply.push_back(entries[i]);
    undo.push_back(std::move(entries[i]));
  }

  Q11_RETURN_IF_ERROR(UndoAll(db.db(), undo));
  Q11_RETURN_IF_ERROR(Reapply(db.db(), reapply));

  if (!response.pull_changeset.empty()) {
    int64_t* omitted = &out.pull_omitted;
    sql::ConflictHandler handler = [omitted](int kind, sqlite3_changeset_iter*) {
      return PullPolicy(kind, omitted);
    };
    Status s = sql::ApplyChangeset(db.db(), response.pull_changeset, handler);
    if (!s.ok()) return Status(s.code(), "apply the server's changes: " + s.message());
  }

  Q11_RETURN_IF_ERROR(Settle(db, sent, response.verdicts, &out));

  Q11_RETURN_IF_ERROR(db.meta().SetCursor(response.cursor));
  Q11_RETURN_IF_ERROR(db.outbox().DropPassed(response.cursor).status());
  // The first epoch the device hears of (sync_client.cc handles another one).
  if (!response.epoch.empty()) Q11_RETURN_IF_ERROR(db.meta().Set(kServerEpochKey, response.epoch));
  Q11_RETURN_IF_ERROR(ForgetSentDriftReports(db, drift_sent));

  // Verify: the rows are exactly the server's state now (every other entry is undone; a
  // kept passing entry's rows are the server's own, echo suppression says so). Checksums
  // come only with a complete pull.
  if (!response.has_more) {
    for (const wire::SyncResponse::ScopeCheck& sc : response.scope_sums) {
      if (!ScopeVerified(sc.audience)) continue;
      ApplyOutcome::ScopeCheck check{sc.audience, sc.sum, {}};
      Q11_ASSIGN_OR_RETURN(check.device, ScopeSumOf(db.db(), ScopeTables(sc.audience)));
      // A scope that adds up ends its repairs' backoff.
      if (check.equal()) Q11_RETURN_IF_ERROR(ClearScopeBackoff(db, sc.audience));
      out.checks.push_back(std::move(check));
    }
  }

  if (!undo.empty()) Q11_RETURN_IF_ERROR(ReplayAll(db, &out.replay_omitted));
  Q11_RETURN_IF_ERROR(tx.Commit());
  return out;
}

}  // namespace q11::device
