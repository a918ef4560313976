// Applies one validated change to the server's tables, row by row, with a three-way merge
// per column, and files every row it changes in the change log. Each SQLite conflict kind
// is handled on purpose (docs/conflicts.md, "Conflict kinds"):
//
//   INSERT  a new id is inserted (CONFLICT:) an id that exists with the same values (a
//           re-sent row) is a no-op; an id that exists with other values, or that belonged
//           to a deleted row, is refused.
//   UPDATE  (DATA:) the device's old values are its base. Per changed column: server ==
//           base → take the device's value; server == device → nothing to do (merged);
//           otherwise a real conflict: a declared rule (conflict_rules.h) settles it, or the
//           server keeps its value and the column is parked (one conflict per row,
//           conflict_log.h). A citizen's edit of a report that is no longer `new` is parked
//           whole: an official has taken it up. (NOTFOUND:) an update of a row the server
//           deleted is parked as update_deleted (the row stays deleted; an admin may restore
//           it); of a row that never existed, refused.
//   DELETE  only a citizen withdrawing their own report (change_validator.h). Deleted with
//           its case events when the server's row still matches the device's base, is
//           `new` and has no staff events; otherwise an official changed it meanwhile:
//           the row is kept and the delete parked. A delete of a case event goes with its
//           report. Deleted rows are archived (row_archive.h) and logged as tombstones.
//   CONSTRAINT  a NOT NULL/UNIQUE failure of the SQL is a refusal naming the table
//           (the validator catches the known ones first, naming the column).
//
// Case events: the server notes when it received each one (event_log.received_at), and
// marks overruled an event whose report change of the same entry did not land (a status
// event whose status was parked or kept by a rule, an assignment whose unit, a progress
// note whose expected date): it stays in the history devices hold, and public views leave
// it out because it is not true of the case.
//
// Audiences: a report is filed under its own audiences; a case event or a photo under
// those of its report at the time it is written. Photos are append-only and go with their
// report like its events.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conflicts/conflict_log.h"
#include "sync/changelog/change_log.h"
#include "sync/changelog/row_archive.h"
#include "sync/merge/table_writer.h"
#include "sync/push/change_validator.h"
#include "sync/push/changeset_reader.h"
#include "syncserver/account.h"

namespace q11::server {

// What happened to one pushed entry, accumulated over its changes.
struct EntryOutcome {
  bool merged = false;              // some column was already equal, or settled by a rule
  std::vector<std::string> parked;  // "reports.status of <id>" per parked column or row
  // Why a declared rule kept the server's value over the device's ("reports.status of
  // <id>: the server keeps ..."), English and Vietnamese: the merged verdict's message.
  std::vector<std::string> overruled_en, overruled_vi;
  // Report columns of this entry whose device value did not land (parked, or a rule kept
  // the server's), "report_id\ncolumn" → why: the entry's case events that announce that
  // change (a status note, an assignment, a new expected date) are marked overruled.
  std::map<std::string, std::string, std::less<>> lost;
  uint64_t server_seq = 0;  // highest change-log sequence written
};

struct MergeScope {
  const Account* account = nullptr;
  std::string_view device_id;
  int64_t now_ms = 0;
  uint64_t local_seq = 0;
  // The pull cursor the device sent with this push (Store::Push); none: no echo suppression.
  std::optional<uint64_t> device_cursor;
};

class RowMerger {
 public:
  // Prepares statements on the write connection. REQUIRES: all arguments outlive it.
  static Result<std::unique_ptr<RowMerger>> Create(SqlConn& db, const TableShapes& shapes,
                                                   ChangeLog& log, ConflictLog& conflicts,
                                                   RowArchive& archive);

  // Applies one change of `table`. A refusal (IsRefusal codes) means the entry must be
  // rolled back; other errors are database failures.
  Status Apply(const TableChanges& table, const RowChange& change, const MergeScope& scope,
               EntryOutcome* out);

  // The report as the write transaction sees it (for the validator and for audiences).
  // With `include_deleted`, a deleted report's last values (facts.deleted = true).
  Result<std::optional<ReportFacts>> FindReport(std::string_view id, bool include_deleted = false);
  // Photos of `role` the report holds (for the per-report limit).
  Result<int64_t> CountPhotos(std::string_view report_id, std::string_view role);

  // Row writes shared with the conflict resolver; each files the change log.
  // nullptr for a table that is not synced.
  TableWriter* Writer(std::string_view table);
  // Sets `columns` of the row to their values in `row` (the whole row after the change).
  // `echo`: the change is the device's own as sent (see ApplyUpdate); it is then not pulled
  // back by that device when its previous version was one the device had seen.
  Status WriteColumns(TableWriter& w, const std::vector<int>& columns,
                      const std::vector<Value>& row, EntryOutcome* out,
                      const MergeScope* echo = nullptr);
  // Deletes the row (current values `row`) and, for a report, its case events: archived,
  // then logged as tombstones under the audiences that saw them.
  Status DeleteRow(TableWriter& w, const std::vector<Value>& row, std::string_view actor,
                   int64_t now_ms, EntryOutcome* out);
  // An admin gave report `report_id`'s `column` (status or assigned_unit) the value
  // `value`: the events that announced it are true of the case again (not overruled).
  Status ConfirmEvents(std::string_view report_id, std::string_view column, const Value& value);
  // Inserts a deleted row again (whole row) and logs it as live.
  Status RestoreRow(TableWriter& w, const std::vector<Value>& row, EntryOutcome* out);

 private:
  RowMerger(ChangeLog& log, ConflictLog& conflicts, RowArchive& archive)
      : log_(log), conflicts_(conflicts), archive_(archive) {}
  Status ApplyInsert(TableWriter& w, const RowChange& change, const MergeScope& scope,
                     EntryOutcome* out);
  Status ApplyUpdate(TableWriter& w, const RowChange& change, const MergeScope& scope,
                     EntryOutcome* out);
  Status ApplyDelete(TableWriter& w, const RowChange& change, const MergeScope& scope,
                     EntryOutcome* out);
  // NOTFOUND with a tombstone: the device changed a row the server deleted.
  Status ParkUpdateOfDeleted(TableWriter& w, const RowChange& change, const MergeScope& scope,
                             uint64_t row_seq, EntryOutcome* out);
  // Records the columns in parked_ of row `pk` as one conflict. `device` is nullptr for a
  // parked delete; `server` the server's values (kept).
  Status Park(const TableShape& shape, const Value& pk, ConflictOp op,
              const std::vector<Value>& base, const std::vector<Value>* device,
              const std::vector<Value>& server, std::optional<uint64_t> row_seq,
              const MergeScope& scope, EntryOutcome* out);
  // Files the row (its current values in `row`) in the change log; `deleted`: a tombstone.
  // `before`: the audiences that saw the row until now, when they may differ; those it
  // leaves get a removal. `echo`: the change is that device's own (see ApplyUpdate);
  // `inserted`: it is the device's new row, which it holds as sent except for the columns
  // the server stamped (RowChange::sent).
  Status Log(const TableShape& shape, const std::vector<Value>& row, EntryOutcome* out,
             bool deleted = false, const std::vector<std::string>* before = nullptr,
             const MergeScope* echo = nullptr, const RowChange* inserted = nullptr);
  // After report `id` moved from audiences `before`: files its case events and photos
  // again, under the audiences that see it now, with removals for those that no longer do.
  Status RefileChildren(std::string_view id, const std::vector<std::string>& before,
                        EntryOutcome* out);
  // The ids `ids_of` (report_events_ or report_photos_) selects for the report.
  Result<std::vector<std::string>> ChildIds(SqlStmt& ids_of, std::string_view report_id);

  ChangeLog& log_;
  ConflictLog& conflicts_;
  RowArchive& archive_;
  std::map<std::string, std::unique_ptr<TableWriter>, std::less<>> writers_;
  // Deletes the rows of `table` whose report_id is `report_id` (archived, logged as
  // tombstones): a withdrawn report's events and photos.
  Status DeleteChildren(std::string_view table, SqlStmt& ids_of, const Value& report_id,
                        std::string_view actor, const std::string& at, EntryOutcome* out);

  // Files a newly inserted case event in event_log (received now; overruled when the
  // change it announces was lost, EntryOutcome::lost).
  Status NoteEvent(const std::vector<Value>& event, const MergeScope& scope, EntryOutcome* out);

  SqlStmt report_facts_, report_events_, report_photos_, staff_events_, count_photos_, note_event_,
      confirm_events_;
  int event_kind_ = -1;
  // After the merge, the effective change of a report (the server's row before → after)
  // must itself be one the pushing role may make: the device's claimed base is not trusted
  // (docs/security.md). Also keeps resolved_at only where the status really became resolved.
  Status JudgeReportChange(const TableShape& shape, const Value& pk, const MergeScope& scope,
                           const Value& status_before, const Value& resolved_before);

  int report_ward_ = -1, report_unit_ = -1, report_ref_ = -1, report_status_ = -1,
      report_updated_ = -1, report_due_ = -1, report_resolved_ = -1, report_received_ = -1,
      event_report_ = -1, photo_report_ = -1;
  // Scratch buffers reused across rows to avoid allocating per change.
  std::vector<Value> current_;
  std::vector<int> set_columns_;
  std::vector<int> parked_;
  std::vector<std::string> audiences_, departed_;
  std::string echo_base_;
};

}  // namespace q11::server
