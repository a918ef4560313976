// Changes to the units of administration and the other reference data, written like any
// server change: through the change log, so every device gets them in its next pull
// (docs/units.md).
//
//   Publish  makes the server's reference tables (kReferenceTables) those of a reference
//            set (reference_set.h): new and changed rows of all four are logged for every
//            device (audience "ref"); holidays and response templates the set no longer has
//            are deleted (logged as removals); a unit the set no longer has is retired, into
//            its successor when the set names one; categories are never removed (cases name
//            them). The same set again writes nothing.
//   Merge    retires units into another: their open cases move to it (ward_id and
//            assigned_unit), each with an assignment event by the system, so the devices of
//            the old unit lose them (with their events and photos) and those of the new one
//            get them; closed cases keep the unit they had. The old unit's kind becomes
//            'retired' (no device offers it for a new report) and retired_units keeps its
//            successor, which the push follows for devices that still send the old id.
//   Add      a new ward or department.
//
// Every method REQUIRES: inside a write transaction on the connection given to Create.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "conflicts/conflict_log.h"
#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "sync/changelog/change_log.h"
#include "sync/changelog/row_archive.h"
#include "sync/merge/row_merger.h"
#include "sync/table_shapes.h"
#include "units/reference_set.h"

namespace q11::server {

struct UnitMergeOutcome {
  int64_t cases_moved = 0;
  int64_t accounts_moved = 0;
  std::vector<std::string> retired;
};

struct PublishOutcome {
  int64_t rows_written = 0;  // reference rows inserted, changed or removed
  UnitMergeOutcome merged;   // units retired because the set no longer has them
  std::vector<std::string> retired_without_successor;
};

struct NewUnit {
  std::string id, kind, name_vi, name_en, parent_id;  // parent empty: the top unit's
};

class UnitChanges {
 public:
  // REQUIRES: db (the write connection) and shapes outlive this.
  static Result<std::unique_ptr<UnitChanges>> Create(SqlConn& db, const TableShapes& shapes);

  Status Publish(const ReferenceSet& set, int64_t now_ms, PublishOutcome* out);
  // kNotFound for an unknown unit, kFailedPrecondition for a retired one or one of another
  // kind than `into` allows (a ward's cases need a ward), kInvalidArgument for into ∈ from.
  // `into` empty: retire only, refused (kFailedPrecondition) while the unit has open cases
  // or active accounts.
  Status Merge(const std::vector<std::string>& from, const std::string& into, int64_t now_ms,
               bool move_accounts, UnitMergeOutcome* out);
  Status Add(const NewUnit& unit);

 private:
  UnitChanges(SqlConn& db, const TableShapes& shapes) : db_(db), shapes_(shapes) {}
  Status Log(const std::function<Status(EntryOutcome*)>& write);
  Status Upsert(TableWriter& w, const std::vector<Value>& row, int64_t* written);
  // Deletes (through the change log) every row of w's table whose key is not in `keep`.
  Status RemoveOthers(TableWriter& w, const std::set<std::string, std::less<>>& keep,
                      int64_t now_ms, int64_t* written);
  Status MergeOne(const std::string& from, const std::string& into, int64_t now_ms,
                  bool move_accounts, UnitMergeOutcome* out);
  Result<std::optional<std::vector<Value>>> ReadUnit(const std::string& id);

  SqlConn& db_;
  const TableShapes& shapes_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ChangeLog> log_;
  std::unique_ptr<ConflictLog> conflicts_;
  std::unique_ptr<RowArchive> archive_;
  std::unique_ptr<RowMerger> rows_;
};

}  // namespace q11::server
