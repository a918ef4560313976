#include "outbox.h"

#include "protocol/schema_versions.h"
#include "status_macros.h"
#include "touched_reports.h"

namespace q11::device {

Result<int64_t> Outbox::Append(const std::string& changeset,
                               const std::vector<std::string>& report_ids,
                               const std::string& created_at) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("INSERT INTO outbox(changeset, state, created_at, "
                                            "report_ids, schema_version) VALUES (?, 'pending', "
                                            "?, ?, ?)"));
  Q11_RETURN_IF_ERROR(st->BindBlob(1, changeset)
                          .Bind(2, created_at)
                          .Bind(3, JoinReportIds(report_ids))
                          .Bind(4, schema::kSyncedSchemaVersion)
                          .Run());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(sqlite3_db_handle(st->get())));
}

Result<PushBatch> Outbox::NextPush(size_t max_bytes, size_t max_entries) {
  Q11_ASSIGN_OR_RETURN(
      auto st,
      cache_->Get("SELECT seq, changeset, schema_version FROM outbox WHERE state = 'pending' "
                  "ORDER BY seq"));
  PushBatch batch;
  size_t bytes = 0;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    size_t size = static_cast<size_t>(sqlite3_column_bytes(st->get(), 1));
    if (!batch.seqs.empty() && (bytes + size > max_bytes || batch.seqs.size() >= max_entries)) {
      batch.more = true;
      break;
    }
    bytes += size;
    batch.seqs.push_back(st->Int(0));
    batch.changesets.push_back(st->Blob(1));
    batch.schema_versions.push_back(static_cast<int>(st->Int(2)));
  }
  return batch;
}

Result<PushBatch> Outbox::PushOne(int64_t seq) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT seq, changeset, schema_version FROM outbox "
                                            "WHERE state = 'pending' AND seq = ?"));
  st->Bind(1, seq);
  PushBatch batch;
  Q11_ASSIGN_OR_RETURN(bool row, st->Step());
  if (row) {
    batch.seqs.push_back(st->Int(0));
    batch.changesets.push_back(st->Blob(1));
    batch.schema_versions.push_back(static_cast<int>(st->Int(2)));
  }
  st->Reset();
  return batch;
}

Result<std::vector<RebaseEntry>> Outbox::AllForRebase() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT seq, changeset, undo, state, server_seq "
                                            "FROM outbox ORDER BY seq"));
  std::vector<RebaseEntry> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    RebaseEntry e;
    e.seq = st->Int(0);
    e.changeset = st->Blob(1);
    if (!st->IsNull(2)) e.undo = st->Blob(2);
    e.acked = st->Text(3) == "acked";
    e.server_seq = st->Int(4);
    out.push_back(std::move(e));
  }
  return out;
}

Status Outbox::MarkAcked(int64_t seq, int64_t server_seq) {
  Q11_ASSIGN_OR_RETURN(
      auto st, cache_->Get("UPDATE outbox SET state = 'acked', server_seq = ? WHERE seq = ?"));
  return st->Bind(1, server_seq).Bind(2, seq).Run();
}

Status Outbox::ResetAcks() {
  Q11_ASSIGN_OR_RETURN(
      auto st,
      cache_->Get("UPDATE outbox SET state = 'pending', server_seq = NULL WHERE state = 'acked'"));
  return st->Run();
}

Status Outbox::ForgetEffects() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("UPDATE outbox SET undo = x''"));
  return st->Run();
}

Status Outbox::CopyToSettled(int64_t seq, const std::string& verdict, const std::string& message,
                             const std::string& settled_at) {
  Q11_ASSIGN_OR_RETURN(auto copy,
                       cache_->Get("INSERT OR REPLACE INTO settled_changes"
                                   "(seq, changeset, verdict, message, settled_at, report_ids) "
                                   "SELECT seq, changeset, ?, ?, ?, report_ids "
                                   "FROM outbox WHERE seq = ?"));
  return copy->Bind(1, verdict).Bind(2, message).Bind(3, settled_at).Bind(4, seq).Run();
}

Status Outbox::Settle(int64_t seq, const std::string& verdict, const std::string& message,
                      const std::string& settled_at) {
  Q11_RETURN_IF_ERROR(CopyToSettled(seq, verdict, message, settled_at));
  Q11_ASSIGN_OR_RETURN(auto del, cache_->Get("DELETE FROM outbox WHERE seq = ?"));
  return del->Bind(1, seq).Run();
}

Status Outbox::NoteMerged(int64_t seq, const std::string& message, const std::string& settled_at) {
  return CopyToSettled(seq, "merged", message, settled_at);
}

Result<int64_t> Outbox::DropPassed(uint64_t cursor) {
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("DELETE FROM outbox WHERE state = 'acked' AND server_seq <= ?"));
  Q11_RETURN_IF_ERROR(st->Bind(1, static_cast<int64_t>(cursor)).Run());
  return static_cast<int64_t>(sqlite3_changes64(sqlite3_db_handle(st->get())));
}

Status Outbox::SetUndo(int64_t seq, const std::string& undo) {
  // coalesce: an empty changeset ("the replay did nothing") must stay distinct from NULL
  // ("same as the changeset").
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("UPDATE outbox SET undo = coalesce(?, X'') WHERE seq = ?"));
  return st->BindBlob(1, undo).Bind(2, seq).Run();
}

Result<int64_t> Outbox::CountPending() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT count(*) FROM outbox WHERE state = 'pending'"));
  Q11_ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : 0;
}

Result<int64_t> Outbox::CountAll() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT count(*) FROM outbox"));
  Q11_ASSIGN_OR_RETURN(bool row, st->Step());
  return row ? st->Int(0) : 0;
}

Result<std::vector<OutboxEntry>> Outbox::List() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT seq, state, created_at, changeset "
                                            "FROM outbox ORDER BY seq"));
  std::vector<OutboxEntry> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    OutboxEntry e;
    e.seq = st->Int(0);
    e.state = st->Text(1);
    e.created_at = st->Text(2);
    std::string cs = st->Blob(3);
    e.bytes = static_cast<int64_t>(cs.size());
    Q11_ASSIGN_OR_RETURN(e.tables, sql::ChangesetTables(cs));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<Outbox::EntryReports>> Outbox::ReportsOfEntries() {
  Q11_ASSIGN_OR_RETURN(auto st,
                       cache_->Get("SELECT seq, state, report_ids FROM outbox ORDER BY seq"));
  std::vector<EntryReports> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1) == "pending", SplitReportIds(st->Text(2))});
  }
  return out;
}

Result<std::vector<SettledChange>> Outbox::ListSettled() {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("SELECT seq, verdict, message, settled_at, report_ids "
                                            "FROM settled_changes ORDER BY seq"));
  std::vector<SettledChange> out;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, st->Step());
    if (!row) break;
    out.push_back({st->Int(0), st->Text(1), st->Text(2), st->Text(3), SplitReportIds(st->Text(4))});
  }
  return out;
}

Status Outbox::DiscardSettled(int64_t seq) {
  Q11_ASSIGN_OR_RETURN(auto st, cache_->Get("DELETE FROM settled_changes WHERE seq = ?"));
  Q11_RETURN_IF_ERROR(st->Bind(1, seq).Run());
  if (sqlite3_changes64(sqlite3_db_handle(st->get())) == 0)
    return NotFound("no settled change #" + std::to_string(seq));
  return Status::Ok();
}

}  // namespace q11::device
