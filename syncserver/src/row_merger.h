// Applies one validated change to the server's tables, row by row, with a three-way merge
// per column, and files every row it changes in the change log.
//
//   INSERT  a new id is inserted; an id that exists with the same values (a re-sent row)
//           is a no-op; an id that exists with other values is refused ("id already
//           exists").
//   UPDATE  the device's old values are its base. Per changed column: server value ==
//           base → take the device's value; server value == device value → nothing to do
//           (merged); otherwise a real conflict: a declared rule (conflict_rules.h)
//           settles it, or the server keeps its value and the column is parked in the
//           conflict queue. A missing row is refused ("row not found").
//
// Audiences: a report is filed under its own audiences; a case event under those of its
// report at the time it is written.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "change_log.h"
#include "change_validator.h"
#include "changeset_reader.h"
#include "conflict_log.h"
#include "syncserver/account.h"
#include "table_writer.h"

namespace q11::server {

// What happened to one pushed entry, accumulated over its changes.
struct EntryOutcome {
  bool merged = false;              // some column was already equal, or settled by a rule
  std::vector<std::string> parked;  // "reports.status of <id>" per parked column
  uint64_t server_seq = 0;          // highest change-log sequence written
};

struct MergeScope {
  const Account* account = nullptr;
  std::string_view device_id;
  int64_t now_ms = 0;
};

class RowMerger {
 public:
  // Prepares statements on the write connection. REQUIRES: all arguments outlive it.
  static Result<std::unique_ptr<RowMerger>> Create(sql::Db& db, const TableShapes& shapes,
                                                   ChangeLog& log, ConflictLog& conflicts);

  // Applies one change of `table`. A refusal (IsRefusal codes) means the entry must be
  // rolled back; other errors are database failures.
  Status Apply(const TableChanges& table, const RowChange& change, const MergeScope& scope,
               EntryOutcome* out);

  // The report as the write transaction sees it (for the validator and for audiences).
  Result<std::optional<ReportFacts>> FindReport(std::string_view id);

 private:
  RowMerger(ChangeLog& log, ConflictLog& conflicts) : log_(log), conflicts_(conflicts) {}
  Status ApplyInsert(TableWriter& w, const RowChange& change, const MergeScope& scope,
                     EntryOutcome* out);
  Status ApplyUpdate(TableWriter& w, const RowChange& change, const MergeScope& scope,
                     EntryOutcome* out);
  // Files the row (its current values in `row`) in the change log; `new_row`: it was
  // never logged before.
  Status Log(const TableShape& shape, const std::vector<Value>& row, bool new_row,
             EntryOutcome* out);

  ChangeLog& log_;
  ConflictLog& conflicts_;
  std::map<std::string, std::unique_ptr<TableWriter>, std::less<>> writers_;
  sql::Statement report_facts_;
  int report_ward_ = -1, report_unit_ = -1, report_ref_ = -1, event_report_ = -1;
  // Scratch buffers reused across rows to avoid allocating per change.
  std::vector<Value> current_;
  std::vector<int> set_columns_;
  std::vector<std::string> audiences_;
};

}  // namespace q11::server
