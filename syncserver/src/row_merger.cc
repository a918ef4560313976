#include "row_merger.h"

#include "access_scope.h"
#include "conflict_rules.h"
#include "server_stamps.h"

namespace q11::server {

Result<std::unique_ptr<RowMerger>> RowMerger::Create(sql::Db& db, const TableShapes& shapes,
                                                     ChangeLog& log, ConflictLog& conflicts) {
  std::unique_ptr<RowMerger> m(new RowMerger(log, conflicts));
  for (const TableShape& shape : shapes.all()) {
    Result<std::unique_ptr<TableWriter>> w = TableWriter::Create(db, shape);
    if (!w.ok()) return w.status();
    m->writers_.emplace(shape.name, std::move(*w));
  }
  const TableShape* reports = shapes.Find("reports");
  const TableShape* events = shapes.Find("case_events");
  if (reports == nullptr || events == nullptr)
    return Internal("synced tables reports/case_events missing");
  m->report_ward_ = reports->Index("ward_id");
  m->report_unit_ = reports->Index("assigned_unit");
  m->report_ref_ = reports->Index("reporter_ref");
  m->event_report_ = events->Index("report_id");
  Result<sql::Statement> facts =
      db.Prepare("SELECT ward_id, assigned_unit, reporter_ref FROM reports WHERE id = ?1");
  if (!facts.ok()) return facts.status();
  m->report_facts_ = std::move(*facts);
  return m;
}

Result<std::optional<ReportFacts>> RowMerger::FindReport(std::string_view id) {
  report_facts_.Bind(1, id);
  Result<bool> row = report_facts_.Step();
  if (!row.ok()) return row.status();
  std::optional<ReportFacts> out;
  if (*row) {
    out.emplace();
    out->ward_id = report_facts_.Text(0);
    out->assigned_unit = report_facts_.Text(1);
    out->reporter_ref = report_facts_.Text(2);
  }
  report_facts_.Reset();
  return out;
}

Status RowMerger::Apply(const TableChanges& table, const RowChange& change, const MergeScope& scope,
                        EntryOutcome* out) {
  auto it = writers_.find(table.table);
  if (it == writers_.end())
    return Refusal(StatusCode::kInvalidArgument, "unknown table " + table.table,
                   "bảng không đồng bộ");
  switch (change.op) {
    case SQLITE_INSERT:
      return ApplyInsert(*it->second, change, scope, out);
    case SQLITE_UPDATE:
      return ApplyUpdate(*it->second, change, scope, out);
    default:
      return Refusal(StatusCode::kPermissionDenied,
                     table.table + ": rows may not be deleted from a device",
                     "thiết bị không được xóa dữ liệu");
  }
}

Status RowMerger::ApplyInsert(TableWriter& w, const RowChange& change, const MergeScope& /*scope*/,
                              EntryOutcome* out) {
  const TableShape& shape = w.shape();
  const Value& pk = change.new_values[shape.pk_column];
  Result<bool> inserted = w.Insert(change.new_values);
  if (!inserted.ok()) return inserted.status();
  // Ids are born on devices and devices may not delete, so a row that did not exist was
  // never in the change log: no old audience entries to remove.
  if (*inserted) return Log(shape, change.new_values, /*new_row=*/true, out);
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
  if (!*exists)
    return Refusal(StatusCode::kNotFound, shape.name + " row " + pk.Describe() + ": row not found",
                   "không tìm thấy dòng dữ liệu");
  set_columns_.clear();
  for (size_t i = 0; i < change.new_values.size(); ++i) {
    const Value& device = change.new_values[i];
    if (!device.defined()) continue;
    const Value& base = change.old_values[i];
    Value& server = current_[i];
    if (SameValue(server, base)) {
      if (!SameValue(server, device)) {
        server = device;
        set_columns_.push_back(static_cast<int>(i));
      }
      continue;
    }
    if (SameValue(server, device)) {
      out->merged = true;  // both sides made the same change
      continue;
    }
    if (std::optional<Value> settled =
            SettleConflict(shape.name, shape.columns[i], base, device, server)) {
      out->merged = true;
      if (!SameValue(server, *settled)) {
        server = std::move(*settled);
        set_columns_.push_back(static_cast<int>(i));
      }
      continue;
    }
    ParkedColumn parked{shape.name, pk.text(), shape.columns[i], &base, &device, &server};
    Q11_RETURN_IF_ERROR(
        conflicts_.Record(parked, scope.account->id, scope.device_id, scope.now_ms));
    out->parked.push_back(shape.name + "." + shape.columns[i] + " of " + std::string(pk.text()));
  }
  if (set_columns_.empty()) return Status::Ok();
  Q11_RETURN_IF_ERROR(w.Update(pk, set_columns_, current_));
  return Log(shape, current_, /*new_row=*/false, out);
}

Status RowMerger::Log(const TableShape& shape, const std::vector<Value>& row, bool new_row,
                      EntryOutcome* out) {
  const Value& pk = row[shape.pk_column];
  if (shape.name == "reports") {
    ReportAudiences(row[report_ward_].text(), row[report_unit_].text(), row[report_ref_].text(),
                    &audiences_);
  } else if (shape.name == "case_events") {
    Result<std::optional<ReportFacts>> report = FindReport(row[event_report_].text());
    if (!report.ok()) return report.status();
    if (!report->has_value())  // the validator checked it exists; keep the log consistent anyway
      return Refusal(StatusCode::kNotFound, "case_events row " + pk.Describe() + ": no such report",
                     "không tìm thấy phản ánh");
    const ReportFacts& f = **report;
    ReportAudiences(f.ward_id, f.assigned_unit, f.reporter_ref, &audiences_);
  } else {
    audiences_.assign(1, "all");
  }
  Result<uint64_t> seq = log_.Record(shape.name, pk.text(), /*deleted=*/false, audiences_, new_row);
  if (!seq.ok()) return seq.status();
  out->server_seq = std::max(out->server_seq, *seq);
  return Status::Ok();
}

}  // namespace q11::server
