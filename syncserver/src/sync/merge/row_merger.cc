#include "sync/merge/row_merger.h"

#include "sync/merge/column_merge.h"

#include <algorithm>

#include "protocol/ids.h"
#include "sync/access_scope.h"
#include "sync/merge/conflict_rules.h"
#include "sync/pull/echo_base.h"
#include "sync/push/server_stamps.h"
#include "sync/workflow.h"

namespace q11::server {

Result<std::unique_ptr<RowMerger>> RowMerger::Create(SqlConn& db, const TableShapes& shapes,
                                                     ChangeLog& log, ConflictLog& conflicts,
                                                     RowArchive& archive) {
  std::unique_ptr<RowMerger> m(new RowMerger(log, conflicts, archive));
  for (const TableShape& shape : shapes.all()) {
    Result<std::unique_ptr<TableWriter>> w = TableWriter::Create(db, shape);
    if (!w.ok()) return w.status();
    m->writers_.emplace(shape.name, std::move(*w));
  }
  const TableShape* reports = shapes.Find("reports");
  const TableShape* events = shapes.Find("case_events");
  const TableShape* photos = shapes.Find("photos");
  if (reports == nullptr || events == nullptr || photos == nullptr)
    return Internal("synced tables reports/case_events/photos missing");
  m->report_ward_ = reports->Index("ward_id");
  m->report_unit_ = reports->Index("assigned_unit");
  m->report_ref_ = reports->Index("reporter_ref");
  m->report_status_ = reports->Index("status");
  m->report_updated_ = reports->Index("updated_at");
  m->report_due_ = reports->Index("due_at");
  m->report_resolved_ = reports->Index("resolved_at");
  m->event_report_ = events->Index("report_id");
  m->photo_report_ = photos->Index("report_id");
  m->event_kind_ = events->Index("kind");
  struct {
    SqlStmt* target;
    const char* sql;
  } statements[] = {
      {&m->report_facts_,
       "SELECT ward_id, assigned_unit, reporter_ref, status, due_at, expected_at, resolved_at, "
       "duplicate_of FROM reports WHERE id = ?1"},
      {&m->report_events_, "SELECT id FROM case_events WHERE report_id = ?1"},
      {&m->report_photos_, "SELECT id FROM photos WHERE report_id = ?1"},
      {&m->count_photos_, "SELECT count(*) FROM photos WHERE report_id = ?1 AND role = ?2"},
      {&m->confirm_events_,
       "UPDATE event_log SET overruled = NULL WHERE overruled IS NOT NULL AND event_id IN "
       "(SELECT id FROM case_events WHERE report_id = ?1 AND "
       "((?2 = 'status' AND kind = 'status' AND status = ?3) OR "
       "(?2 = 'assigned_unit' AND kind = 'assignment' AND unit_id = ?3)))"},
      {&m->note_event_,
       "INSERT INTO event_log (event_id, received_at, overruled) VALUES (?1, ?2, ?3) "
       "ON CONFLICT DO NOTHING"},
      // Events written by staff: a report they have worked on is no longer the citizen's
      // alone to withdraw.
      {&m->staff_events_,
       "SELECT count(*) FROM case_events WHERE report_id = ?1 AND "
       "coalesce(author_role, '') <> 'citizen'"},
  };
  for (auto& s : statements) {
    Result<SqlStmt> st = db.Prepare(s.sql);
    if (!st.ok()) return st.status();
    *s.target = std::move(*st);
  }
  return m;
}

Result<std::optional<ReportFacts>> RowMerger::FindReport(std::string_view id,
                                                         bool include_deleted) {
  report_facts_.Bind(1, id);
  Result<bool> row = report_facts_.Step();
  if (!row.ok()) return row.status();
  std::optional<ReportFacts> out;
  if (*row) {
    out.emplace();
    out->ward_id = report_facts_.Text(0);
    out->assigned_unit = report_facts_.Text(1);
    out->reporter_ref = report_facts_.Text(2);
    out->status = report_facts_.Text(3);
    out->due_at = report_facts_.Text(4);
    out->expected_at = report_facts_.Text(5);
    out->resolved_at = report_facts_.Text(6);
    out->duplicate_of = report_facts_.Text(7);
  }
  report_facts_.Reset();
  if (out || !include_deleted) return out;
  TableWriter* w = Writer("reports");
  Result<std::optional<std::vector<Value>>> archived = archive_.Load(w->shape(), id);
  if (!archived.ok()) return archived.status();
  if (archived->has_value()) {
    const std::vector<Value>& r = **archived;
    out.emplace();
    out->ward_id = std::string(r[report_ward_].text());
    out->assigned_unit = std::string(r[report_unit_].text());
    out->reporter_ref = std::string(r[report_ref_].text());
    out->status = std::string(r[report_status_].text());
    out->deleted = true;
  }
  return out;
}

Result<int64_t> RowMerger::CountPhotos(std::string_view report_id, std::string_view role) {
  count_photos_.Bind(1, report_id).Bind(2, role);
  Result<bool> row = count_photos_.Step();
  if (!row.ok()) return row.status();
  int64_t n = *row ? count_photos_.Int(0) : 0;
  count_photos_.Reset();
  return n;
}

TableWriter* RowMerger::Writer(std::string_view table) {
  auto it = writers_.find(table);
  return it == writers_.end() ? nullptr : it->second.get();
}

Status RowMerger::Apply(const TableChanges& table, const RowChange& change, const MergeScope& scope,
                        EntryOutcome* out) {
  TableWriter* w = Writer(table.table);
  if (w == nullptr)
    return Refusal(StatusCode::kInvalidArgument, "unknown table " + table.table,
                   "bảng không đồng bộ");
  switch (change.op) {
    case SQLITE_INSERT:
      return ApplyInsert(*w, change, scope, out);
    case SQLITE_UPDATE:
      return ApplyUpdate(*w, change, scope, out);
    default:
      return ApplyDelete(*w, change, scope, out);
  }
}

Status RowMerger::ApplyInsert(TableWriter& w, const RowChange& change, const MergeScope& scope,
                              EntryOutcome* out) {
  const TableShape& shape = w.shape();
  const Value& pk = change.new_values[shape.pk_column];
  Result<bool> inserted = w.Insert(change.new_values);
  if (!inserted.ok()) return inserted.status();
  if (*inserted) {
    // Ids are born on devices and never reused: an id whose row was deleted stays gone
    // (the insert is undone: a late refusal, push_applier.h).
    Result<std::optional<ChangeLog::RowState>> logged = log_.Find(shape.name, pk.text());
    if (!logged.ok()) return logged.status();
    if (logged->has_value() && (*logged)->deleted)
      return Refusal(StatusCode::kAlreadyExists,
                     shape.name + " row " + pk.Describe() +
                         ": this id belonged to a row that was deleted; ids are never reused",
                     "mã này thuộc một bản ghi đã bị xóa, không được dùng lại");
    if (shape.name == "case_events") Q11_RETURN_IF_ERROR(NoteEvent(change.new_values, scope, out));
    return Log(shape, change.new_values, out, /*deleted=*/false, /*before=*/nullptr, &scope,
               &change);
  }
  Result<bool> exists = w.Read(pk, &current_);
  if (!exists.ok()) return exists.status();
  if (!*exists)
    return Internal(shape.name + " row " + pk.Describe() + " neither inserted nor found");
  for (size_t i = 0; i < current_.size(); ++i) {
    if (IsTimeStamped(shape.name, shape.columns[i])) continue;
    if (!SameValue(current_[i], change.new_values[i]))
      return Refusal(StatusCode::kAlreadyExists,
                     shape.name + " row " + pk.Describe() +
                         ": id already exists with other values (column " + shape.columns[i] + ")",
                     "mã đã tồn tại với nội dung khác");
  }
  return Status::Ok();  // the same row sent again: nothing to do
}

Status RowMerger::ApplyUpdate(TableWriter& w, const RowChange& change, const MergeScope& scope,
                              EntryOutcome* out) {
  const TableShape& shape = w.shape();
  const Value& pk = change.old_values[shape.pk_column];
  Result<bool> exists = w.Read(pk, &current_);
  if (!exists.ok()) return exists.status();
  if (!*exists) {
    Result<std::optional<ChangeLog::RowState>> logged = log_.Find(shape.name, pk.text());
    if (!logged.ok()) return logged.status();
    if (logged->has_value() && (*logged)->deleted)
      return ParkUpdateOfDeleted(w, change, scope, (*logged)->seq, out);
    return Refusal(StatusCode::kNotFound, shape.name + " row " + pk.Describe() + ": row not found",
                   "không tìm thấy dòng dữ liệu");
  }
  // A citizen may edit their report only while nobody handles it; once an official has
  // taken it up, their edit waits for an admin instead of changing the case under them.
  const bool citizen_late = scope.account->role == Role::kCitizen && shape.name == "reports" &&
                            current_[report_status_].text() != "new";
  const bool is_report = shape.name == "reports";
  const Value status_before = is_report ? current_[report_status_] : Value::Null();
  const Value resolved_before = is_report ? current_[report_resolved_] : Value::Null();
  ColumnMerge merge =
      MergeColumns(shape, change.old_values, change.new_values, scope.account->role, citizen_late,
                   is_report ? report_status_ : -1, is_report ? report_updated_ : -1, &current_);
  set_columns_ = std::move(merge.set);
  parked_ = std::move(merge.parked);
  if (merge.merged) out->merged = true;
  for (const ColumnMerge::Overruled& o : merge.settled) {
    const std::string where = shape.name + "." + shape.columns[o.column] + " of " + pk.s + ": ";
    out->overruled_en.push_back(where + o.why_en);
    out->overruled_vi.push_back(where + o.why_vi);
    out->lost[pk.s + '\n' + shape.columns[o.column]] = "overruled: " + o.why_en;
  }
  // The device's change applied exactly as sent on top of the base it sent: the row is then
  // what the device holds, which it need not be sent back (an echo).
  const bool as_sent = merge.as_sent && !change.server_stamped;
  if (is_report)
    Q11_RETURN_IF_ERROR(JudgeReportChange(shape, pk, scope, status_before, resolved_before));
  if (!set_columns_.empty())
    Q11_RETURN_IF_ERROR(WriteColumns(w, set_columns_, current_, out,
                                     as_sent && parked_.empty() ? &scope : nullptr));
  if (parked_.empty()) return Status::Ok();
  for (int col : parked_)
    out->lost[pk.s + '\n' + shape.columns[col]] = "parked for an admin (a conflict)";
  return Park(shape, pk, ConflictOp::kUpdate, change.old_values, &change.new_values, current_,
              std::nullopt, scope, out);
}

Status RowMerger::ConfirmEvents(std::string_view report_id, std::string_view column,
                                const Value& value) {
  if (!value.is_text()) return Status::Ok();
  confirm_events_.Bind(1, report_id).Bind(2, column).Bind(3, value.text());
  return confirm_events_.Run();
}

Status RowMerger::NoteEvent(const std::vector<Value>& event, const MergeScope& scope,
                            EntryOutcome* out) {
  const std::string_view kind = event[event_kind_].text();
  const char* column = kind == "status"       ? "status"
                       : kind == "assignment" ? "assigned_unit"
                       : kind == "progress"   ? "expected_at"
                                              : nullptr;
  std::optional<std::string> overruled;
  if (column != nullptr && !out->lost.empty()) {
    auto it = out->lost.find(std::string(event[event_report_].text()) + '\n' + column);
    if (it != out->lost.end())
      overruled = "the reports." + std::string(column) + " change it announces was " + it->second;
  }
  const int id = Writer("case_events")->shape().pk_column;
  note_event_.Bind(1, event[id].text()).Bind(2, FormatUtc(scope.now_ms));
  if (overruled)
    note_event_.Bind(3, *overruled);
  else
    note_event_.BindNull(3);
  return note_event_.Run();
}

Status RowMerger::JudgeReportChange(const TableShape& shape, const Value& pk,
                                    const MergeScope& scope, const Value& status_before,
                                    const Value& resolved_before) {
  auto sets = [&](int col) {
    return std::find(set_columns_.begin(), set_columns_.end(), col) != set_columns_.end();
  };
  if (sets(report_status_)) {
    const std::string from(status_before.text()), to(current_[report_status_].text());
    const Role role = scope.account->role;
    if (!TransitionAllowed(role, from, to))
      return Refusal(StatusCode::kPermissionDenied,
                     shape.name + " row " + pk.Describe() +
                         " column status: the server's status is " + from + "; role " +
                         std::string(RoleName(role)) + " may not move it to " + to +
                         " (allowed: " + AllowedNext(role, from) +
                         "). Changes are judged against the server's row, not the previous value "
                         "the device sent",
                     "trạng thái hiện tại trên máy chủ là " + from + ", không được chuyển sang " +
                         to + " (sai quy trình xử lý)");
  }
  // The stamp (server_stamps.h) proposes resolved_at with every status 'resolved' a device
  // sends; it stands only when this change really makes the case resolved.
  if (sets(report_resolved_) &&
      (current_[report_status_].text() != "resolved" || status_before.text() == "resolved")) {
    set_columns_.erase(std::find(set_columns_.begin(), set_columns_.end(), report_resolved_));
    current_[report_resolved_] = resolved_before;
  }
  return Status::Ok();
}

Status RowMerger::ParkUpdateOfDeleted(TableWriter& w, const RowChange& change,
                                      const MergeScope& scope, uint64_t row_seq,
                                      EntryOutcome* out) {
  const TableShape& shape = w.shape();
  const Value& pk = change.old_values[shape.pk_column];
  Result<std::optional<std::vector<Value>>> archived = archive_.Load(shape, pk.text());
  if (!archived.ok()) return archived.status();
  // The server's values are the row's last ones before it was deleted.
  std::vector<Value> server = archived->has_value()
                                  ? std::move(**archived)
                                  : std::vector<Value>(shape.columns.size(), Value::Null());
  parked_.clear();
  for (size_t i = 0; i < change.new_values.size(); ++i)
    if (change.new_values[i].defined()) parked_.push_back(static_cast<int>(i));
  return Park(shape, pk, ConflictOp::kUpdateDeleted, change.old_values, &change.new_values, server,
              row_seq, scope, out);
}

Status RowMerger::ApplyDelete(TableWriter& w, const RowChange& change, const MergeScope& scope,
                              EntryOutcome* out) {
  const TableShape& shape = w.shape();
  // A case event or photo goes with its report (the validator checked the same change
  // deletes it): deleted with it, or kept with it when the withdrawal is parked.
  if (shape.name == "case_events" || shape.name == "photos") return Status::Ok();
  const Value& pk = change.old_values[shape.pk_column];
  Result<bool> exists = w.Read(pk, &current_);
  if (!exists.ok()) return exists.status();
  if (!*exists) {
    Result<std::optional<ChangeLog::RowState>> logged = log_.Find(shape.name, pk.text());
    if (!logged.ok()) return logged.status();
    if (logged->has_value() && (*logged)->deleted) {
      out->merged = true;  // withdrawn already, e.g. from the citizen's other phone
      return Status::Ok();
    }
    return Refusal(StatusCode::kNotFound, shape.name + " row " + pk.Describe() + ": row not found",
                   "không tìm thấy dòng dữ liệu");
  }
  // Changed on the server since the device's base? Columns the server stamps on receipt
  // are compared only when the device had already seen them.
  parked_.clear();
  for (size_t i = 0; i < current_.size(); ++i) {
    const Value& base = change.old_values[i];
    int col = static_cast<int>(i);
    if ((col == report_ref_ || col == report_due_) && base.is_null()) continue;
    if (!base.defined()) continue;  // a column the device's older schema did not have
    if (!SameValue(current_[i], base)) parked_.push_back(col);
  }
  bool handled = current_[report_status_].text() != "new" || !parked_.empty();
  if (!handled) {
    staff_events_.Bind(1, pk.text());
    Result<bool> row = staff_events_.Step();
    if (!row.ok()) return row.status();
    handled = staff_events_.Int(0) > 0;
    staff_events_.Reset();
  }
  if (!handled) return DeleteRow(w, current_, scope.account->name, scope.now_ms, out);
  if (parked_.empty()) parked_.push_back(report_status_);
  return Park(shape, pk, ConflictOp::kDelete, change.old_values, nullptr, current_, std::nullopt,
              scope, out);
}

Status RowMerger::Park(const TableShape& shape, const Value& pk, ConflictOp op,
                       const std::vector<Value>& base, const std::vector<Value>* device,
                       const std::vector<Value>& server, std::optional<uint64_t> row_seq,
                       const MergeScope& scope, EntryOutcome* out) {
  if (!row_seq) {
    Result<std::optional<ChangeLog::RowState>> logged = log_.Find(shape.name, pk.text());
    if (!logged.ok()) return logged.status();
    row_seq = logged->has_value() ? (*logged)->seq : 0;
  }
  ParkedRow row;
  row.table = shape.name;
  row.pk = pk.text();
  row.op = op;
  row.row_seq = *row_seq;
  if (shape.name == "reports") {
    row.unit = server[report_ward_].text();
    row.assigned_unit = server[report_unit_].text();
  }
  for (int col : parked_)
    row.columns.push_back(ParkedColumn{col, shape.columns[col], &base[col],
                                       device ? &(*device)[col] : nullptr, &server[col]});
  Pusher who{scope.account, scope.device_id, scope.local_seq, scope.now_ms};
  Result<std::string> id = conflicts_.Record(row, who);
  if (!id.ok()) return id.status();
  const std::string where = std::string(row.pk);
  if (op == ConflictOp::kDelete) {
    out->parked.push_back("the withdrawal of " + shape.name + " row " + where +
                          " (an official changed it meanwhile; it is kept)");
  } else if (op == ConflictOp::kUpdateDeleted) {
    out->parked.push_back(shape.name + " row " + where + " (deleted on the server meanwhile)");
  } else {
    for (int col : parked_)
      out->parked.push_back(shape.name + "." + shape.columns[col] + " of " + where);
  }
  return Status::Ok();
}

Status RowMerger::WriteColumns(TableWriter& w, const std::vector<int>& columns,
                               const std::vector<Value>& row, EntryOutcome* out,
                               const MergeScope* echo) {
  const TableShape& shape = w.shape();
  const Value& pk = row[shape.pk_column];
  // A report whose ward, unit or reporter changes may leave some audiences' view.
  bool moves = false;
  if (shape.name == "reports")
    for (int c : columns)
      moves = moves || c == report_ward_ || c == report_unit_ || c == report_ref_;
  if (!moves) {
    Q11_RETURN_IF_ERROR(w.Update(pk, columns, row));
    return Log(shape, row, out, /*deleted=*/false, /*before=*/nullptr, echo);
  }
  Result<std::optional<ReportFacts>> old = FindReport(pk.text());
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Internal("reports row " + pk.Describe() + " vanished");
  std::vector<std::string> before;
  ReportAudiences((*old)->ward_id, (*old)->assigned_unit, (*old)->reporter_ref, &before);
  Q11_RETURN_IF_ERROR(w.Update(pk, columns, row));
  Q11_RETURN_IF_ERROR(Log(shape, row, out, /*deleted=*/false, &before, echo));
  return RefileChildren(pk.text(), before, out);
}

Result<std::vector<std::string>> RowMerger::ChildIds(SqlStmt& ids_of, std::string_view report_id) {
  std::vector<std::string> ids;
  ids_of.Bind(1, report_id);
  for (;;) {
    Result<bool> r = ids_of.Step();
    if (!r.ok()) {
      ids_of.Reset();
      return r.status();
    }
    if (!*r) break;
    ids.push_back(ids_of.Text(0));
  }
  ids_of.Reset();
  return ids;
}

Status RowMerger::RefileChildren(std::string_view id, const std::vector<std::string>& before,
                                 EntryOutcome* out) {
  for (auto [table, ids_of] :
       {std::pair{"case_events", &report_events_}, std::pair{"photos", &report_photos_}}) {
    Result<std::vector<std::string>> ids = ChildIds(*ids_of, id);
    if (!ids.ok()) return ids.status();
    TableWriter* children = Writer(table);
    std::vector<Value> child;
    for (const std::string& child_id : *ids) {
      Result<bool> found = children->Read(Value::Text(child_id), &child);
      if (!found.ok()) return found.status();
      if (*found)
        Q11_RETURN_IF_ERROR(Log(children->shape(), child, out, /*deleted=*/false, &before));
    }
  }
  return Status::Ok();
}

Status RowMerger::DeleteRow(TableWriter& w, const std::vector<Value>& row, std::string_view actor,
                            int64_t now_ms, EntryOutcome* out) {
  const TableShape& shape = w.shape();
  const Value& pk = row[shape.pk_column];
  const std::string at = FormatUtc(now_ms);
  if (shape.name == "reports") {
    // Its events and photos first, while the report still gives them their audiences.
    Q11_RETURN_IF_ERROR(DeleteChildren("case_events", report_events_, pk, actor, at, out));
    Q11_RETURN_IF_ERROR(DeleteChildren("photos", report_photos_, pk, actor, at, out));
  }
  Q11_RETURN_IF_ERROR(archive_.Save(shape, pk, actor, at));
  Q11_RETURN_IF_ERROR(Log(shape, row, out, /*deleted=*/true));
  return w.Delete(pk);
}

Status RowMerger::DeleteChildren(std::string_view table, SqlStmt& ids_of, const Value& report_id,
                                 std::string_view actor, const std::string& at, EntryOutcome* out) {
  TableWriter* children = Writer(table);
  Result<std::vector<std::string>> ids = ChildIds(ids_of, report_id.text());
  if (!ids.ok()) return ids.status();
  std::vector<Value> child;
  for (const std::string& id : *ids) {
    Value key = Value::Text(id);
    Result<bool> found = children->Read(key, &child);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    Q11_RETURN_IF_ERROR(archive_.Save(children->shape(), key, actor, at));
    Q11_RETURN_IF_ERROR(Log(children->shape(), child, out, /*deleted=*/true));
    Q11_RETURN_IF_ERROR(children->Delete(key));
  }
  return Status::Ok();
}

Status RowMerger::RestoreRow(TableWriter& w, const std::vector<Value>& row, EntryOutcome* out) {
  const TableShape& shape = w.shape();
  Result<bool> inserted = w.Insert(row);
  if (!inserted.ok()) return inserted.status();
  if (!*inserted)
    return Refusal(StatusCode::kAlreadyExists,
                   shape.name + " row " + row[shape.pk_column].Describe() + " exists again",
                   "bản ghi đã tồn tại");
  return Log(shape, row, out);
}

Status RowMerger::Log(const TableShape& shape, const std::vector<Value>& row, EntryOutcome* out,
                      bool deleted, const std::vector<std::string>* before, const MergeScope* echo,
                      const RowChange* inserted) {
  const Value& pk = row[shape.pk_column];
  if (shape.name == "reports") {
    ReportAudiences(row[report_ward_].text(), row[report_unit_].text(), row[report_ref_].text(),
                    &audiences_);
  } else if (shape.name == "case_events" || shape.name == "photos") {
    int report_col = shape.name == "photos" ? photo_report_ : event_report_;
    Result<std::optional<ReportFacts>> report = FindReport(row[report_col].text());
    if (!report.ok()) return report.status();
    if (!report->has_value())  // the validator checked it exists; keep the log consistent anyway
      return Refusal(StatusCode::kNotFound,
                     shape.name + " row " + pk.Describe() + ": no such report",
                     "không tìm thấy phản ánh");
    const ReportFacts& f = **report;
    ReportAudiences(f.ward_id, f.assigned_unit, f.reporter_ref, &audiences_);
  } else {
    // The reference tables (units/reference_set.h, unit_changes.h): every device reads them.
    audiences_.assign(1, std::string(kReferenceAudience));
  }
  departed_.clear();
  if (before != nullptr)
    for (const std::string& a : *before)
      if (std::find(audiences_.begin(), audiences_.end(), a) == audiences_.end())
        departed_.push_back(a);
  // An echo only when the row's previous version is one the device had pulled: then its
  // copy plus its change is exactly the stored row. A new row is the device's copy plus
  // what the server stamped: only that goes back.
  ChangeLog::Echo as_echo;
  echo_base_.clear();
  if (echo != nullptr && echo->device_cursor) {
    as_echo.device = echo->device_id;
    if (inserted != nullptr) {
      echo_base_ = EncodeEchoBase(inserted->sent);
      as_echo.base = echo_base_;
    } else {
      as_echo.seen_by = *echo->device_cursor;
    }
  }
  Result<uint64_t> seq =
      log_.Record(shape.name, pk.text(), deleted, audiences_, departed_, as_echo);
  if (!seq.ok()) return seq.status();
  out->server_seq = std::max(out->server_seq, *seq);
  return Status::Ok();
}

}  // namespace q11::server
