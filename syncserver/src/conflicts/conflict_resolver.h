// Resolving a parked conflict: the one service behind `syncserver conflicts resolve` and
// POST /v1/admin/conflicts/{id}/resolve (docs/conflicts.md, "Resolution").
//
// Per column the admin takes the server's value, the device's, or an edited one. In ONE
// transaction on the write connection: refuse a conflict resolved before, or one whose
// row changed since it was parked (its change-log sequence moved); apply the decision as
// a new server change (the row's columns written, its sequence and audiences renewed in
// the change log, so every device pulls it at its next sync); mark the conflict resolved
// with who and when; audit it. For a parked withdrawal, "device" deletes the row and
// "server" keeps it; for an update of a deleted row, "server" leaves it deleted and
// "device" (or edited values) restores it from the archive.
//
// Thread safety: one resolver per write connection; the caller serialises it with pushes.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "audit/audit_log.h"
#include "conflicts/conflict_log.h"
#include "conflicts/conflict_queries.h"
#include "protocol/result.h"
#include "store/sql/sql_conn.h"
#include "sync/changelog/change_log.h"
#include "sync/changelog/row_archive.h"
#include "sync/merge/row_merger.h"
#include "sync/reference_data.h"
#include "sync/table_shapes.h"
#include "syncserver/conflict.h"

namespace q11::server {

class ConflictResolver {
 public:
  // REQUIRES: db (the write connection), shapes and refs outlive the resolver.
  static Result<std::unique_ptr<ConflictResolver>> Create(SqlConn& db, const TableShapes& shapes,
                                                          const ReferenceData& refs);

  // Errors as Store::ResolveConflict: kNotFound, kAlreadyExists (resolved before),
  // kAborted (row changed since), kInvalidArgument (bad decision); others are database
  // failures (nothing applied).
  Result<ResolvedConflict> Resolve(std::string_view id, const ConflictDecision& decision,
                                   std::string_view actor, int64_t now_ms);

 private:
  ConflictResolver(SqlConn& db, const TableShapes& shapes, const ReferenceData& refs)
      : db_(db), shapes_(shapes), refs_(refs) {}
  Result<ResolvedConflict> ResolveInTransaction(std::string_view id,
                                                const ConflictDecision& decision,
                                                std::string_view actor, int64_t now_ms);
  // A value an admin may put in `column` (the same checks a device's change gets).
  Status CheckValue(const TableShape& shape, const std::string& column, const Value& v) const;

  SqlConn& db_;
  const TableShapes& shapes_;
  const ReferenceData& refs_;
  std::unique_ptr<ChangeLog> log_;
  std::unique_ptr<AuditLog> audit_;
  std::unique_ptr<ConflictLog> conflicts_;
  std::unique_ptr<RowArchive> archive_;
  std::unique_ptr<RowMerger> rows_;
  std::unique_ptr<ConflictQueries> queries_;
  SqlStmt mark_resolved_, mark_column_;
};

}  // namespace q11::server
