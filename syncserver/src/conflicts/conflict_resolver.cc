#include "conflicts/conflict_resolver.h"

#include <Poco/JSON/Object.h>

#include <sstream>

#include "protocol/ids.h"
#include "protocol/schema.h"
#include "sync/sql_value.h"

namespace q11::server {
namespace {

const char* DecisionName(const ConflictDecision& d) {
  switch (d.take) {
    case ConflictDecision::Take::kServer:
      return "server";
    case ConflictDecision::Take::kDevice:
      return "device";
    default:
      return "set";
  }
}

Poco::Dynamic::Var JsonValue(const FieldValue& f) {
  switch (f.type) {
    case FieldValue::Type::kInteger:
      return Poco::Dynamic::Var(static_cast<Poco::Int64>(f.i));
    case FieldValue::Type::kReal:
      return Poco::Dynamic::Var(f.r);
    case FieldValue::Type::kText:
      return Poco::Dynamic::Var(f.s);
    default:
      return Poco::Dynamic::Var();
  }
}

}  // namespace

Result<std::unique_ptr<ConflictResolver>> ConflictResolver::Create(SqlConn& db,
                                                                   const TableShapes& shapes,
                                                                   const ReferenceData& refs) {
  std::unique_ptr<ConflictResolver> r(new ConflictResolver(db, shapes, refs));
  Result<std::unique_ptr<ChangeLog>> log = ChangeLog::Create(db, shapes);
  if (!log.ok()) return log.status();
  r->log_ = std::move(*log);
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  r->audit_ = std::move(*audit);
  Result<std::unique_ptr<ConflictLog>> conflicts = ConflictLog::Create(db, *r->audit_);
  if (!conflicts.ok()) return conflicts.status();
  r->conflicts_ = std::move(*conflicts);
  Result<std::unique_ptr<RowArchive>> archive = RowArchive::Create(db, shapes);
  if (!archive.ok()) return archive.status();
  r->archive_ = std::move(*archive);
  Result<std::unique_ptr<RowMerger>> rows =
      RowMerger::Create(db, shapes, *r->log_, *r->conflicts_, *r->archive_);
  if (!rows.ok()) return rows.status();
  r->rows_ = std::move(*rows);
  Result<std::unique_ptr<ConflictQueries>> queries = ConflictQueries::Create(db);
  if (!queries.ok()) return queries.status();
  r->queries_ = std::move(*queries);
  Result<SqlStmt> mark = db.Prepare(
      "UPDATE conflicts SET state = 'resolved', resolved_at = ?2, resolved_by = ?3, "
      "decision = ?4 WHERE id = ?1 AND state = 'open'");
  if (!mark.ok()) return mark.status();
  r->mark_resolved_ = std::move(*mark);
  Result<SqlStmt> column = db.Prepare(
      "UPDATE conflict_columns SET resolved_value = ?3 WHERE conflict_id = ?1 AND col = ?2");
  if (!column.ok()) return column.status();
  r->mark_column_ = std::move(*column);
  return r;
}

Result<ResolvedConflict> ConflictResolver::Resolve(std::string_view id,
                                                   const ConflictDecision& decision,
                                                   std::string_view actor, int64_t now_ms) {
  Result<SqlTransaction> txn = SqlTransaction::Write(db_);
  if (!txn.ok()) return txn.status();
  Result<ResolvedConflict> out = ResolveInTransaction(id, decision, actor, now_ms);
  if (!out.ok()) return out.status();  // the transaction rolls back
  Q11_RETURN_IF_ERROR(txn->Commit());
  return out;
}

Result<ResolvedConflict> ConflictResolver::ResolveInTransaction(std::string_view id,
                                                                const ConflictDecision& decision,
                                                                std::string_view actor,
                                                                int64_t now_ms) {
  Result<ConflictDetail> found = queries_->Get(id);
  if (!found.ok()) return found.status();
  const ConflictDetail& c = *found;
  const ConflictSummary& s = c.summary;
  if (s.state != "open")
    return AlreadyExists("conflict " + s.id + " was already resolved by " + s.resolved_by + " at " +
                         s.resolved_at + " / xung đột này đã được xử lý trước đó bởi " +
                         s.resolved_by);
  if (c.current_seq != c.row_seq)
    return Aborted("the row " + s.table + " " + s.row_id +
                   " changed since the conflict was parked (change-log sequence " +
                   std::to_string(c.row_seq) + ", now " + std::to_string(c.current_seq) +
                   "); the decision would overwrite changes the admin has not seen" +
                   " / bản ghi đã thay đổi sau khi xung đột được ghi nhận, không thể xử lý");
  TableWriter* w = rows_->Writer(s.table);
  if (w == nullptr) return FailedPrecondition("table " + s.table + " is no longer synced");
  const TableShape& shape = w->shape();

  // The value each conflicting column gets.
  for (const auto& [column, value] : decision.set) {
    bool known = false;
    for (const ConflictColumn& col : c.columns) known = known || col.column == column;
    if (!known) {
      std::string list;
      for (const ConflictColumn& col : c.columns) list += (list.empty() ? "" : ", ") + col.column;
      return InvalidArgument("column '" + column + "' is not part of conflict " + s.id +
                             " (its columns: " + list + ") / cột '" + column +
                             "' không thuộc xung đột này");
    }
  }
  if (decision.take == ConflictDecision::Take::kNone && decision.set.empty())
    return InvalidArgument(
        "say what to do: take server, take device, or set columns / cần chọn cách xử lý");
  if (s.op == ConflictOp::kDelete && decision.take == ConflictDecision::Take::kNone)
    return InvalidArgument(
        "a parked withdrawal is decided whole: take device (delete the row) or take server "
        "(keep it) / việc rút phản ánh chỉ có thể chấp nhận (device) hoặc giữ lại (server)");
  std::map<std::string, FieldValue> values;
  for (const ConflictColumn& col : c.columns) {
    auto set = decision.set.find(col.column);
    if (decision.take == ConflictDecision::Take::kDevice)
      values[col.column] = col.device;
    else if (set != decision.set.end())
      values[col.column] = set->second;
    else
      values[col.column] = col.server;
  }

  Q11_RETURN_IF_ERROR(log_->Begin());
  EntryOutcome outcome;
  const bool take_device = decision.take == ConflictDecision::Take::kDevice;
  if (s.op == ConflictOp::kUpdateDeleted && decision.take == ConflictDecision::Take::kServer) {
    outcome.server_seq = c.current_seq;  // it stays deleted: nothing to write
  } else if (s.op == ConflictOp::kUpdateDeleted) {
    Result<std::optional<std::vector<Value>>> archived = archive_->Load(shape, s.row_id);
    if (!archived.ok()) return archived.status();
    if (!archived->has_value())
      return FailedPrecondition("the deleted row " + s.row_id +
                                " was not archived; it cannot be restored / không thể khôi phục");
    std::vector<Value> row = std::move(**archived);
    for (const auto& [column, value] : values) {
      Value v = FromField(value);
      Q11_RETURN_IF_ERROR(CheckValue(shape, column, v));
      row[shape.Index(column)] = std::move(v);
    }
    Status restored = rows_->RestoreRow(*w, row, &outcome);
    if (!restored.ok())
      return IsRefusal(restored.code()) ? InvalidArgument(restored.message()) : restored;
  } else {
    std::vector<Value> row;
    Result<bool> exists = w->Read(Value::Text(s.row_id), &row);
    if (!exists.ok()) return exists.status();
    if (!*exists) return Aborted("the row " + s.row_id + " no longer exists / bản ghi không còn");
    if (s.op == ConflictOp::kDelete && take_device) {
      Q11_RETURN_IF_ERROR(rows_->DeleteRow(*w, row, actor, now_ms, &outcome));
    } else {
      // Written even when every value stays the server's: the new sequence tells every
      // device the decision, and a device that still shows its own value gets the row.
      std::vector<int> columns;
      if (s.op != ConflictOp::kDelete) {
        for (const auto& [column, value] : values) {
          Value v = FromField(value);
          Q11_RETURN_IF_ERROR(CheckValue(shape, column, v));
          int index = shape.Index(column);
          row[index] = std::move(v);
          columns.push_back(index);
        }
      } else {
        for (const ConflictColumn& col : c.columns) columns.push_back(shape.Index(col.column));
      }
      Status written = rows_->WriteColumns(*w, columns, row, &outcome);
      if (written.code() == StatusCode::kFailedPrecondition)  // NOT NULL and the like
        return InvalidArgument(written.message() + " / giá trị không hợp lệ");
      Q11_RETURN_IF_ERROR(written);
      if (s.table == "reports")
        for (const char* column : {"status", "assigned_unit"})
          if (values.count(column))
            Q11_RETURN_IF_ERROR(rows_->ConfirmEvents(s.row_id, column, row[shape.Index(column)]));
    }
  }
  Q11_RETURN_IF_ERROR(log_->Finish());

  const std::string at = FormatUtc(now_ms);
  mark_resolved_.Bind(1, s.id).Bind(2, at).Bind(3, actor).Bind(4, DecisionName(decision));
  Q11_RETURN_IF_ERROR(mark_resolved_.Run());
  if (db_.Changes() != 1) return Aborted("conflict " + s.id + " changed while resolving it");
  Poco::JSON::Object resolved;
  for (const auto& [column, value] : values) {
    FieldValue stored = value;
    if (s.op == ConflictOp::kDelete) stored = take_device ? FieldValue::Null() : value;
    mark_column_.Bind(1, s.id).Bind(2, column);
    const Value bound = FromField(stored);  // bound without a copy: must outlive Run()
    mark_column_.BindRef(3, bound);
    Q11_RETURN_IF_ERROR(mark_column_.Run());
    resolved.set(column, JsonValue(stored));
  }
  Poco::JSON::Object details;
  details.set("table", s.table);
  details.set("row", s.row_id);
  details.set("operation", ConflictOpName(s.op));
  details.set("decision", DecisionName(decision));
  details.set("values", resolved);
  details.set("server_seq", static_cast<Poco::UInt64>(outcome.server_seq));
  if (s.op == ConflictOp::kDelete) details.set("row_deleted", take_device);
  if (s.op == ConflictOp::kUpdateDeleted)
    details.set("row_restored", decision.take != ConflictDecision::Take::kServer);
  std::ostringstream json;
  details.stringify(json);
  Q11_RETURN_IF_ERROR(
      audit_->Record(at, actor, "conflict.resolved", "conflict/" + s.id, json.str()));
  return ResolvedConflict{s.id, outcome.server_seq};
}

Status ConflictResolver::CheckValue(const TableShape& shape, const std::string& column,
                                    const Value& v) const {
  auto bad = [&](std::string_view en, std::string_view vi) {
    return InvalidArgument(shape.name + "." + column + ": " + std::string(en) + " / " +
                           std::string(vi));
  };
  if (shape.name != "reports") return Status::Ok();
  if (column == "status" && !(v.is_text() && schema::OneOf(schema::kStatuses, v.text())))
    return bad("unknown status " + v.Describe(), "trạng thái không hợp lệ");
  if (column == "assigned_unit" && !v.is_null() && !refs_.UnitExists(v.text()))
    return bad("unknown unit " + v.Describe(), "đơn vị không tồn tại");
  if (column == "ward_id" && !(v.is_text() && refs_.IsWard(v.text())))
    return bad("not a ward: " + v.Describe(), "phường không tồn tại");
  if ((column == "due_at" && !v.is_null()) || column == "updated_at" || column == "created_at")
    if (!v.is_text() || !ParseUtc(v.text()))
      return bad("must be an ISO-8601 UTC time, not " + v.Describe(), "thời gian không hợp lệ");
  if ((column == "title" || column == "description") && (!v.is_text() || v.s.empty()))
    return bad("must be non-empty text", "không được để trống");
  return Status::Ok();
}

}  // namespace q11::server
