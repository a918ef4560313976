#include "units/unit_changes.h"

#include <set>

#include "auth/secure_random.h"
#include "protocol/ids.h"
#include "protocol/schema.h"
#include "protocol/workflow.h"

namespace q11::server {
namespace {

// The units table's columns (protocol/schema/synced_tables.sql).
constexpr int kUnitId = 0, kUnitParent = 1, kUnitKind = 2, kUnitNameVi = 3;

// The author of the events the system writes when units change.
constexpr std::string_view kSystemAuthor = "he-thong";

std::string NameOf(const std::vector<Value>& unit) {
  return unit[kUnitNameVi].s + " (" + unit[kUnitId].s + ")";
}

}  // namespace

Result<std::unique_ptr<UnitChanges>> UnitChanges::Create(SqlConn& db, const TableShapes& shapes) {
  std::unique_ptr<UnitChanges> u(new UnitChanges(db, shapes));
  Result<std::unique_ptr<AuditLog>> audit = AuditLog::Create(db);
  if (!audit.ok()) return audit.status();
  u->audit_ = std::move(*audit);
  Result<std::unique_ptr<ChangeLog>> log = ChangeLog::Create(db, shapes);
  if (!log.ok()) return log.status();
  u->log_ = std::move(*log);
  Result<std::unique_ptr<ConflictLog>> conflicts = ConflictLog::Create(db, *u->audit_);
  if (!conflicts.ok()) return conflicts.status();
  u->conflicts_ = std::move(*conflicts);
  Result<std::unique_ptr<RowArchive>> archive = RowArchive::Create(db, shapes);
  if (!archive.ok()) return archive.status();
  u->archive_ = std::move(*archive);
  Result<std::unique_ptr<RowMerger>> rows =
      RowMerger::Create(db, shapes, *u->log_, *u->conflicts_, *u->archive_);
  if (!rows.ok()) return rows.status();
  u->rows_ = std::move(*rows);
  return u;
}

Status UnitChanges::Log(const std::function<Status(EntryOutcome*)>& write) {
  Q11_RETURN_IF_ERROR(log_->Begin());
  EntryOutcome outcome;
  Q11_RETURN_IF_ERROR(write(&outcome));
  return log_->Finish();
}

Result<std::optional<std::vector<Value>>> UnitChanges::ReadUnit(const std::string& id) {
  std::vector<Value> row;
  Result<bool> found = rows_->Writer("units")->Read(Value::Text(id), &row);
  if (!found.ok()) return found.status();
  if (!*found) return std::optional<std::vector<Value>>();
  return std::optional<std::vector<Value>>(std::move(row));
}

Status UnitChanges::Upsert(TableWriter& w, const std::vector<Value>& row, int64_t* written) {
  std::vector<Value> now;
  Result<bool> found = w.Read(row[w.shape().pk_column], &now);
  if (!found.ok()) return found.status();
  return Log([&](EntryOutcome* out) -> Status {
    if (!*found) {
      ++*written;
      return rows_->RestoreRow(w, row, out);
    }
    std::vector<int> changed;
    for (size_t i = 0; i < row.size(); ++i)
      if (static_cast<int>(i) != w.shape().pk_column && !SameValue(row[i], now[i]))
        changed.push_back(static_cast<int>(i));
    if (changed.empty()) return Status::Ok();
    ++*written;
    return rows_->WriteColumns(w, changed, row, out);
  });
}

Status UnitChanges::RemoveOthers(TableWriter& w, const std::set<std::string, std::less<>>& keep,
                                 int64_t now_ms, int64_t* written) {
  const TableShape& shape = w.shape();
  Result<SqlStmt> all = db_.Prepare("SELECT " + shape.columns[shape.pk_column] + " FROM " +
                                    shape.name + " ORDER BY 1");
  if (!all.ok()) return all.status();
  std::vector<std::string> gone;
  Q11_RETURN_IF_ERROR(EachRow(*all, [&](const SqlStmt& st) {
    if (!keep.count(st.Text(0))) gone.push_back(st.Text(0));
  }));
  std::vector<Value> row;
  for (const std::string& key : gone) {
    Result<bool> found = w.Read(Value::Text(key), &row);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    ++*written;
    Q11_RETURN_IF_ERROR(
        Log([&](EntryOutcome* o) { return rows_->DeleteRow(w, row, kSystemAuthor, now_ms, o); }));
  }
  return Status::Ok();
}

Status UnitChanges::Publish(const ReferenceSet& set, int64_t now_ms, PublishOutcome* out) {
  // Every reference table travels to devices: through the change log (audience `ref`).
  std::set<std::string, std::less<>> in_set;
  for (std::string_view table : schema::kPublishedReferenceTables) {
    TableWriter* w = rows_->Writer(table);
    if (w == nullptr) return Internal("table " + std::string(table) + " is not synced");
    auto rows = set.rows.find(table);
    if (rows == set.rows.end())
      return Internal("reference set " + set.source + " has no table " + std::string(table));
    std::set<std::string, std::less<>> keys;
    for (const std::vector<Value>& row : rows->second) {
      if (row.size() != w->shape().columns.size())
        return Internal("reference set " + set.source + ": table " + std::string(table) +
                        " has another column count than the server's");
      keys.emplace(row[w->shape().pk_column].text());
      if (table == std::string_view("units")) {
        in_set.insert(row[kUnitId].s);
        // A unit retired here stays retired even when an older set still lists it.
        Result<std::optional<std::vector<Value>>> have = ReadUnit(row[kUnitId].s);
        if (!have.ok()) return have.status();
        if (have->has_value() && (**have)[kUnitKind].text() == "retired") continue;
      }
      Q11_RETURN_IF_ERROR(Upsert(*w, row, &out->rows_written));
    }
    // Holidays and templates the set no longer has are removed, on devices too. Units are
    // retired instead (below), and categories stay: cases keep naming them.
    if (table == std::string_view("holidays") || table == std::string_view("response_templates"))
      Q11_RETURN_IF_ERROR(RemoveOthers(*w, keys, now_ms, &out->rows_written));
  }
  // Units the set no longer has: retired, into their successor when it names one.
  Result<SqlStmt> live = db_.Prepare("SELECT id FROM units WHERE kind <> 'retired' ORDER BY id");
  if (!live.ok()) return live.status();
  std::vector<std::string> gone;
  for (;;) {
    Result<bool> row = live->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (!in_set.count(live->Text(0))) gone.push_back(live->Text(0));
  }
  live->Reset();
  for (const std::string& unit : gone) {
    auto next = set.successors.find(unit);
    if (next == set.successors.end()) {
      out->retired_without_successor.push_back(unit);
      continue;  // kept as it is: an operator decides (units retire|merge)
    }
    Q11_RETURN_IF_ERROR(MergeOne(unit, next->second, now_ms, /*move_accounts=*/true, &out->merged));
  }
  return Status::Ok();
}

Status UnitChanges::Merge(const std::vector<std::string>& from, const std::string& into,
                          int64_t now_ms, bool move_accounts, UnitMergeOutcome* out) {
  if (from.empty()) return InvalidArgument("name the units to retire / cần nêu đơn vị");
  for (const std::string& f : from)
    if (f == into)
      return InvalidArgument("unit " + f +
                             " cannot be merged into itself / không thể sáp nhập "
                             "một đơn vị vào chính nó");
  for (const std::string& f : from)
    Q11_RETURN_IF_ERROR(MergeOne(f, into, now_ms, move_accounts, out));
  return Status::Ok();
}

Status UnitChanges::MergeOne(const std::string& from, const std::string& into, int64_t now_ms,
                             bool move_accounts, UnitMergeOutcome* out) {
  Result<std::optional<std::vector<Value>>> old_unit = ReadUnit(from);
  if (!old_unit.ok()) return old_unit.status();
  if (!old_unit->has_value()) return NotFound("no unit " + from + " / không có đơn vị " + from);
  std::vector<Value> old_row = **old_unit;
  if (old_row[kUnitKind].text() == "retired")
    return FailedPrecondition("unit " + from + " is already retired / đơn vị " + from +
                              " đã ngừng hoạt động");
  if (old_row[kUnitParent].is_null())
    return FailedPrecondition("unit " + from +
                              " is the top unit; it cannot be retired / "
                              "không thể cho đơn vị cấp trên cùng ngừng hoạt động");
  const bool is_ward = old_row[kUnitKind].text() == "ward";
  std::vector<Value> new_row;
  if (!into.empty()) {
    Result<std::optional<std::vector<Value>>> target = ReadUnit(into);
    if (!target.ok()) return target.status();
    if (!target->has_value()) return NotFound("no unit " + into + " / không có đơn vị " + into);
    new_row = **target;
    if (new_row[kUnitKind].text() == "retired")
      return FailedPrecondition("unit " + into + " is retired; merge into its successor / đơn vị " +
                                into + " đã ngừng hoạt động");
    if (is_ward && new_row[kUnitKind].text() != "ward")
      return FailedPrecondition("ward " + from + " can only be merged into a ward, not the " +
                                new_row[kUnitKind].s + " " + into +
                                " / phường chỉ sáp nhập vào phường");
  }

  // Open cases of the unit: by ward or by assignment.
  TableWriter* reports = rows_->Writer("reports");
  const TableShape& rs = reports->shape();
  const int ward = rs.Index("ward_id"), unit = rs.Index("assigned_unit"),
            updated = rs.Index("updated_at");
  Result<SqlStmt> cases = db_.Prepare(
      "SELECT id, status FROM reports WHERE ward_id = ?1 OR assigned_unit = ?1 ORDER BY id");
  if (!cases.ok()) return cases.status();
  cases->Bind(1, from);
  std::vector<std::string> open;
  for (;;) {
    Result<bool> row = cases->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (workflow::IsOpen(cases->Text(1))) open.push_back(cases->Text(0));
  }
  cases->Reset();
  if (into.empty() && !open.empty())
    return FailedPrecondition("unit " + from + " still has " + std::to_string(open.size()) +
                              " open cases: merge it into another unit (--into) / đơn vị còn "
                              "phản ánh đang xử lý, cần chỉ định đơn vị tiếp nhận (--into)");

  const std::string at = FormatUtc(now_ms);
  TableWriter* events = rows_->Writer("case_events");
  const TableShape& es = events->shape();
  const std::string note = "Chuyển từ " + NameOf(old_row) + " sang " +
                           (into.empty() ? std::string() : NameOf(new_row)) +
                           " do sắp xếp đơn vị hành chính / moved from " + from + " to " + into +
                           " by administrative merge";
  Result<SqlStmt> note_move = db_.Prepare(
      "INSERT INTO unit_moves (report_id, moved_at, ward_before, unit_before) "
      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (report_id, moved_at) DO NOTHING");
  if (!note_move.ok()) return note_move.status();
  for (const std::string& id : open) {
    std::vector<Value> row;
    Result<bool> found = reports->Read(Value::Text(id), &row);
    if (!found.ok()) return found.status();
    if (!*found) continue;
    std::vector<int> columns{updated};
    // A case moved by two of this merge's units keeps the units it had before the first.
    note_move->Bind(1, id).Bind(2, at).Bind(3, row[ward]).Bind(4, row[unit]);
    Q11_RETURN_IF_ERROR(note_move->Run());
    if (row[ward].text() == from) {
      row[ward] = Value::Text(into);
      columns.push_back(ward);
    }
    if (row[unit].text() == from) {
      row[unit] = Value::Text(into);
      columns.push_back(unit);
    }
    row[updated] = Value::Text(at);
    std::vector<Value> event(es.columns.size(), Value::Null());
    event[es.Index("id")] = Value::Text(NewUuid7(now_ms));
    event[es.Index("report_id")] = Value::Text(id);
    event[es.Index("kind")] = Value::Text("assignment");
    event[es.Index("note")] = Value::Text(note);
    event[es.Index("unit_id")] = Value::Text(into);
    event[es.Index("author_ref")] = Value::Text(kSystemAuthor);
    event[es.Index("author_role")] = Value::Text("admin");
    event[es.Index("created_at")] = Value::Text(at);
    Q11_RETURN_IF_ERROR(Log([&](EntryOutcome* o) -> Status {
      // The report first: the event is filed under the audiences it has after the move.
      Q11_RETURN_IF_ERROR(rows_->WriteColumns(*reports, columns, row, o));
      return rows_->RestoreRow(*events, event, o);
    }));
    ++out->cases_moved;
  }

  // Officials of the old unit.
  Result<SqlStmt> accounts =
      db_.Prepare(move_accounts && !into.empty()
                      ? "UPDATE users SET unit_id = ?2 WHERE unit_id = ?1"
                      : "SELECT count(*) FROM users WHERE unit_id = ?1 AND disabled = 0");
  if (!accounts.ok()) return accounts.status();
  accounts->Bind(1, from);
  if (move_accounts && !into.empty()) {
    accounts->Bind(2, into);
    Q11_RETURN_IF_ERROR(accounts->Run());
    out->accounts_moved += db_.Changes();
  } else if (into.empty()) {
    Result<bool> row = accounts->Step();
    if (!row.ok()) return row.status();
    const int64_t n = accounts->Int(0);
    accounts->Reset();
    if (n > 0)
      return FailedPrecondition("unit " + from + " still has " + std::to_string(n) +
                                " active accounts: disable them or merge with --move-accounts"
                                " / đơn vị còn tài khoản đang hoạt động");
  }

  // The unit itself: no device offers it any more; the push follows its successor.
  const Value prior_kind = old_row[kUnitKind];
  old_row[kUnitKind] = Value::Text("retired");
  Q11_RETURN_IF_ERROR(Log([&](EntryOutcome* o) {
    return rows_->WriteColumns(*rows_->Writer("units"), {kUnitKind}, old_row, o);
  }));
  Result<SqlStmt> retire = db_.Prepare(
      "INSERT INTO retired_units (unit_id, successor_id, prior_kind, retired_at) "
      "VALUES (?1, ?2, ?3, ?4)");
  if (!retire.ok()) return retire.status();
  retire->Bind(1, from).Bind(3, prior_kind).Bind(4, at);
  if (into.empty())
    retire->BindNull(2);
  else
    retire->Bind(2, into);
  Q11_RETURN_IF_ERROR(retire->Run());
  // Older retirements into this unit now lead to `into`: one step for every alias.
  if (!into.empty()) {
    Result<SqlStmt> chain =
        db_.Prepare("UPDATE retired_units SET successor_id = ?2 WHERE successor_id = ?1");
    if (!chain.ok()) return chain.status();
    chain->Bind(1, from).Bind(2, into);
    Q11_RETURN_IF_ERROR(chain->Run());
  }
  Q11_RETURN_IF_ERROR(
      audit_->Record(at, kSystemAuthor, "unit.retired", "unit/" + from,
                     "{\"successor\":" + (into.empty() ? std::string("null") : "\"" + into + "\"") +
                         ",\"cases_moved\":" + std::to_string(open.size()) + "}"));
  out->retired.push_back(from);
  return Status::Ok();
}

Status UnitChanges::Add(const NewUnit& unit) {
  if (unit.kind != "ward" && unit.kind != "department")
    return InvalidArgument("--kind must be ward or department / loại phải là ward hoặc department");
  if (unit.id.empty() || unit.id.size() > 64 || unit.name_vi.empty() || unit.name_en.empty())
    return InvalidArgument(
        "give --id (1-64 bytes), --name-vi and --name-en / cần --id, "
        "--name-vi và --name-en");
  Result<std::optional<std::vector<Value>>> have = ReadUnit(unit.id);
  if (!have.ok()) return have.status();
  if (have->has_value())
    return AlreadyExists("unit " + unit.id + " exists / đơn vị " + unit.id + " đã có");
  std::string parent = unit.parent_id;
  if (parent.empty()) {
    Result<SqlStmt> top = db_.Prepare("SELECT id FROM units WHERE parent_id IS NULL ORDER BY id");
    if (!top.ok()) return top.status();
    Result<bool> row = top->Step();
    if (!row.ok()) return row.status();
    if (*row) parent = top->Text(0);
    top->Reset();
  }
  Result<std::optional<std::vector<Value>>> p = ReadUnit(parent);
  if (!p.ok()) return p.status();
  if (!p->has_value() || (**p)[kUnitKind].text() == "retired")
    return NotFound("no active parent unit " + parent + " / không có đơn vị cấp trên " + parent);
  std::vector<Value> row{Value::Text(unit.id), Value::Text(parent), Value::Text(unit.kind),
                         Value::Text(unit.name_vi), Value::Text(unit.name_en)};
  return Log([&](EntryOutcome* o) { return rows_->RestoreRow(*rows_->Writer("units"), row, o); });
}

}  // namespace q11::server
