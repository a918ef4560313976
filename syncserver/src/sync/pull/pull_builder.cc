#include "sync/pull/pull_builder.h"

#include <algorithm>
#include <set>

#include "protocol/schema.h"
#include "sync/access_scope.h"
#include "sync/changelog/scope_sums.h"
#include "sync/pull/echo_base.h"
#include "sync/sql_value.h"

namespace q11::server {
namespace {

// After a pull bigger than this the scratch database is rebuilt instead of emptied: an
// in-memory database keeps its freed pages, and a dozen threads each holding the pages
// of a 10,000-row pull would blow the server's memory budget.
constexpr uint32_t kReuseScratchUpTo = 2000;

std::string Quoted(const std::string& name) { return "\"" + name + "\""; }

}  // namespace

Result<std::unique_ptr<PullBuilder>> PullBuilder::Create(SqlConn& db, const TableShapes& shapes) {
  std::unique_ptr<PullBuilder> b(new PullBuilder(db, shapes));
  for (const TableShape& s : shapes.all()) b->table_names_.push_back(s.name);
  b->copies_.resize(shapes.all().size());
  for (size_t t = 0; t < shapes.all().size(); ++t) {
    const TableShape& s = shapes.all()[t];
    std::string cols;
    for (size_t i = 0; i < s.columns.size(); ++i) cols += (i ? ", " : "") + Quoted(s.columns[i]);
    Result<SqlStmt> read = db.Prepare("SELECT " + cols + " FROM " + Quoted(s.name) + " WHERE " +
                                      Quoted(s.columns[s.pk_column]) + " = ?1");
    if (!read.ok()) return read.status();
    b->copies_[t].read = std::move(*read);
  }
  Result<SqlStmt> last_seq = db.Prepare("SELECT value FROM meta WHERE key = 'last_seq'");
  if (!last_seq.ok()) return last_seq.status();
  b->last_seq_ = std::move(*last_seq);
  Result<SqlStmt> reference_after = db.Prepare(
      "SELECT 1 FROM row_audience WHERE audience = ?1 AND seq > ?2 ORDER BY seq LIMIT 1");
  if (!reference_after.ok()) return reference_after.status();
  b->reference_after_ = std::move(*reference_after);
  Result<SqlStmt> scope_sum =
      db.Prepare("SELECT row_count, sum_hi, sum_lo FROM scope_sums WHERE audience = ?1");
  if (!scope_sum.ok()) return scope_sum.status();
  b->scope_sum_ = std::move(*scope_sum);
  Result<SqlStmt> unlogged = db.Prepare("SELECT tbl, pk FROM unlogged_ref ORDER BY tbl, pk");
  if (!unlogged.ok()) return unlogged.status();
  b->unlogged_reference_ = std::move(*unlogged);
  Q11_RETURN_IF_ERROR(b->OpenScratch());
  return b;
}

Status PullBuilder::OpenScratch() {
  for (TableCopy& c : copies_) {  // statements must go before their database
    c.insert = SqlStmt();
    c.update = SqlStmt();
    c.remove = SqlStmt();
    c.clear = SqlStmt();
  }
  Result<SqliteConn> scratch = OpenSqliteConn(":memory:");
  if (!scratch.ok()) return scratch.status();
  scratch_ = std::move(*scratch);
  Q11_RETURN_IF_ERROR(scratch_.Exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF"));
  Q11_RETURN_IF_ERROR(scratch_.Exec(schema::SyncedTablesSql()));
  for (size_t t = 0; t < shapes_.all().size(); ++t) {
    const TableShape& s = shapes_.all()[t];
    std::string params;
    for (size_t i = 0; i < s.columns.size(); ++i)
      params += (i ? ", ?" : "?") + std::to_string(i + 1);
    Result<SqlStmt> insert =
        scratch_.Prepare("INSERT OR REPLACE INTO " + Quoted(s.name) + " VALUES (" + params + ")");
    if (!insert.ok()) return insert.status();
    std::string columns;
    for (size_t i = 0; i < s.columns.size(); ++i) columns += (i ? ", " : "") + Quoted(s.columns[i]);
    Result<SqlStmt> update = scratch_.Prepare(
        "UPDATE " + Quoted(s.name) + " SET (" + columns + ") = (" + params + ") WHERE " +
        Quoted(s.columns[s.pk_column]) + " = ?" + std::to_string(s.pk_column + 1));
    if (!update.ok()) return update.status();
    Result<SqlStmt> remove = scratch_.Prepare("DELETE FROM " + Quoted(s.name) + " WHERE " +
                                              Quoted(s.columns[s.pk_column]) + " = ?1");
    if (!remove.ok()) return remove.status();
    Result<SqlStmt> clear = scratch_.Prepare("DELETE FROM " + Quoted(s.name));
    if (!clear.ok()) return clear.status();
    copies_[t].insert = std::move(*insert);
    copies_[t].update = std::move(*update);
    copies_[t].remove = std::move(*remove);
    copies_[t].clear = std::move(*clear);
  }
  return Status::Ok();
}

Result<const std::vector<std::string>*> PullBuilder::Effective(
    const std::vector<std::string>& audiences, uint64_t cursor) {
  // Reference rows change a few times a year: while none is past the cursor, the pull
  // reads the account's own audience alone, a plain range scan (see PageStatement).
  if (audiences.size() < 2 || audiences.back() != kReferenceAudience) return &audiences;
  reference_after_.Bind(1, kReferenceAudience).Bind(2, static_cast<int64_t>(cursor));
  Result<bool> any = reference_after_.Step();
  reference_after_.Reset();
  if (!any.ok()) return any.status();
  if (*any) return &audiences;
  own_.assign(audiences.begin(), audiences.end() - 1);
  return &own_;
}

Result<SqlStmt*> PullBuilder::PageStatement(size_t n) {
  auto it = page_by_count_.find(n);
  if (it != page_by_count_.end()) return &it->second;
  // An entry counts while it is its row's latest change (older ones are left behind by
  // later changes, see change_log.h), or when it is a removal. One audience is a plain
  // range scan of the primary key; with more (every account reads its own and the
  // reference audience, access_scope.h), the same change can be filed under several, and
  // it is a removal only when every one of them lost the row.
  std::string in;
  for (size_t i = 0; i < n; ++i) in += (i ? ", ?" : "?") + std::to_string(i + 3);
  // The device's own writes: left out when it holds them exactly, else (echo_base) column 4
  // says which columns to send.
  const std::string device = "?" + std::to_string(n + 3);
  // PostgreSQL wants every selected column grouped; in SQLite a.seq alone decides them
  // (a sequence is one row's change) and the shorter GROUP BY keeps its plan.
  const std::string group_by = db_.dialect() == SqlDialect::kPostgres
                                   ? " GROUP BY a.seq, a.tbl, a.pk, l.deleted, l.echo_device, "
                                     "l.echo_base"
                                   : " GROUP BY a.seq";
  std::string sql =
      std::string("SELECT a.seq, a.tbl, a.pk, l.deleted <> 0 OR ") +
      (n > 1 ? "min(a.gone) <> 0" : "a.gone <> 0") +
      ", CASE WHEN l.echo_device IS NOT DISTINCT FROM " + device + " THEN l.echo_base END" +
      " FROM row_audience a JOIN row_log l ON l.tbl = a.tbl AND l.pk = a.pk WHERE a.audience " +
      (n > 1 ? "IN (" + in + ")" : "= ?3") + " AND a.seq > ?1 AND (a.seq = l.seq OR a.gone <> 0)" +
      " AND (a.gone <> 0 OR l.echo_device IS DISTINCT FROM " + device +
      " OR l.echo_base IS NOT NULL)" + (n > 1 ? group_by : "") + " ORDER BY a.seq LIMIT ?2";
  Result<SqlStmt> st = db_.Prepare(sql);
  if (!st.ok()) return st.status();
  return &page_by_count_.emplace(n, std::move(*st)).first->second;
}

Status PullBuilder::BindPage(SqlStmt& q, const std::vector<std::string>& audiences, uint64_t cursor,
                             uint32_t limit, std::string_view device_id) {
  q.Bind(1, static_cast<int64_t>(cursor)).Bind(2, static_cast<int64_t>(limit));
  for (size_t i = 0; i < audiences.size(); ++i) q.Bind(static_cast<int>(i + 3), audiences[i]);
  // No device: "" matches no echo_device, so nothing is left out. (An empty string_view
  // may have no data pointer, which SQLite would bind as NULL.)
  q.Bind(static_cast<int>(audiences.size() + 3),
         device_id.empty() ? std::string_view("") : device_id);
  return Status::Ok();
}

Result<bool> PullBuilder::HasChanges(const std::vector<std::string>& audiences, uint64_t cursor,
                                     std::string_view device_id) {
  if (audiences.empty() || audiences.size() > 4) return InvalidArgument("bad audiences");
  Result<const std::vector<std::string>*> read = Effective(audiences, cursor);
  if (!read.ok()) return read.status();
  Result<SqlStmt*> st = PageStatement((*read)->size());
  if (!st.ok()) return st.status();
  SqlStmt& q = **st;
  Q11_RETURN_IF_ERROR(BindPage(q, **read, cursor, 1, device_id));
  Result<bool> row = q.Step();
  q.Reset();
  if (!row.ok() || *row) return row;
  // A cursor past the change log's end comes from a history this server no longer has (it
  // was restored from a backup, docs/backup.md): the device must sync now to learn of the
  // new epoch, not wait until the log catches up with it.
  Result<bool> last = last_seq_.Step();
  if (!last.ok()) return last.status();
  const uint64_t end = *last ? static_cast<uint64_t>(last_seq_.Int(0)) : 0;
  last_seq_.Reset();
  return cursor > end;
}

Status PullBuilder::ReadPage(const std::vector<std::string>& audiences, uint64_t cursor,
                             uint32_t limit, std::string_view device_id, PullPage* page) {
  Result<bool> row = last_seq_.Step();
  if (!row.ok()) return row.status();
  uint64_t snapshot_last = *row ? static_cast<uint64_t>(last_seq_.Int(0)) : 0;
  last_seq_.Reset();

  Result<const std::vector<std::string>*> read = Effective(audiences, cursor);
  if (!read.ok()) return read.status();
  Result<SqlStmt*> st = PageStatement((*read)->size());
  if (!st.ok()) return st.status();
  SqlStmt& q = **st;
  Q11_RETURN_IF_ERROR(BindPage(q, **read, cursor, limit + 1, device_id));
  entries_.clear();
  page->has_more = false;
  for (;;) {
    Result<bool> r = q.Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    if (entries_.size() == limit) {
      page->has_more = true;
      break;
    }
    int table = -1;
    const std::string name = q.Text(1);
    for (size_t t = 0; t < table_names_.size(); ++t)
      if (table_names_[t] == name) table = static_cast<int>(t);
    if (table < 0) continue;  // a table no longer synced
    const bool deleted = q.Int(3) != 0;
    entries_.push_back(Entry{static_cast<uint64_t>(q.Int(0)), table, q.Text(2), deleted,
                             deleted ? std::string() : q.Blob(4)});
  }
  q.Reset();
  // A page that ends early may split a pushed entry, whose device then takes the entry's
  // rows back out (it has not passed yet) and could not apply an update of just their
  // stamps: send such rows whole.
  if (page->has_more)
    for (Entry& e : entries_) e.echo_base.clear();
  DropSupersededRemovals();
  // Cursor: where this page ends when more wait, else everything visible in this snapshot
  // (so entries of audiences the device does not read are skipped for good).
  page->cursor = page->has_more ? entries_.back().seq : std::max(snapshot_last, cursor);
  if (!entries_.empty() && !page->has_more)
    page->cursor = std::max(page->cursor, entries_.back().seq);
  return Status::Ok();
}

Status PullBuilder::AddBuiltinReference() {
  std::vector<Entry> builtin;
  Status s = EachRow(unlogged_reference_, [&](const SqlStmt& st) {
    const std::string name = st.Text(0);
    for (size_t t = 0; t < table_names_.size(); ++t)
      if (table_names_[t] == name)
        builtin.push_back(Entry{0, static_cast<int>(t), st.Text(1), false, std::string()});
  });
  Q11_RETURN_IF_ERROR(s);
  // First, with sequence 0: the page's cursor still comes from its logged entries.
  entries_.insert(entries_.begin(), std::make_move_iterator(builtin.begin()),
                  std::make_move_iterator(builtin.end()));
  return Status::Ok();
}

void PullBuilder::DropSupersededRemovals() {
  // Only removals can be followed by a later entry of the same row in one page (a report
  // that left this audience and came back): keep the row's last entry.
  if (std::none_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.deleted; }))
    return;
  std::set<std::pair<int, std::string_view>> seen;
  std::vector<bool> keep(entries_.size(), true);
  for (size_t i = entries_.size(); i-- > 0;)
    keep[i] = seen.emplace(entries_[i].table, entries_[i].pk).second;
  size_t out = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (!keep[i]) continue;
    if (out != i) entries_[out] = std::move(entries_[i]);
    ++out;
  }
  entries_.resize(out);
}

Result<std::string> PullBuilder::MakeChangeset(uint32_t* rows) {
  *rows = 0;
  // Tombstones first, before the session exists: a row inserted and deleted under one
  // session leaves no trace, so it must already be there when the session starts.
  for (const Entry& e : entries_) {
    if (!e.deleted) continue;
    TableCopy& c = copies_[e.table];
    const TableShape& s = shapes_.all()[e.table];
    for (size_t i = 0; i < s.columns.size(); ++i) {
      if (static_cast<int>(i) == s.pk_column)
        c.insert.Bind(static_cast<int>(i + 1), e.pk);
      else
        c.insert.Bind(static_cast<int>(i + 1), "");  // placeholder for NOT NULL columns
    }
    Q11_RETURN_IF_ERROR(c.insert.Run());
  }

  // Attach only the tables this page has rows of: the session looks each attached
  // table's columns up with a PRAGMA, which is not free on a 100-row pull.
  std::vector<bool> used(table_names_.size(), false);
  for (const Entry& e : entries_) used[e.table] = true;
  session_tables_.clear();
  for (size_t t = 0; t < table_names_.size(); ++t)
    if (used[t]) session_tables_.push_back(table_names_[t]);
  if (session_tables_.empty()) return std::string();
  // Rows the device holds but for their stamped columns: as it holds them, before the
  // session, so that the session sees only the stamps change.
  for (const Entry& e : entries_) {
    if (e.deleted || e.echo_base.empty()) continue;
    Result<bool> copied = CopyRow(e, copies_[e.table].insert, e.echo_base);
    if (!copied.ok()) return copied.status();
  }
  Result<sql::Session> session = sql::Session::Create(scratch_.db(), session_tables_);
  if (!session.ok()) return session.status();
  for (const Entry& e : entries_) {
    TableCopy& c = copies_[e.table];
    if (e.deleted) {
      c.remove.Bind(1, e.pk);
      Q11_RETURN_IF_ERROR(c.remove.Run());
      ++*rows;
      continue;
    }
    // A row logged as live but gone is skipped rather than sent half.
    Result<bool> copied = CopyRow(e, e.echo_base.empty() ? c.insert : c.update);
    if (!copied.ok()) return copied.status();
    if (*copied) ++*rows;
  }
  return session->Changeset();
}

Status PullBuilder::ReadScopeSums(const std::vector<std::string>& audiences, PullPage* page) {
  // Every audience read, the reference one too when this pull had nothing of it: the
  // device checks its whole copy.
  page->scope_sums.clear();
  for (const std::string& audience : audiences) {
    scope_sum_.Bind(1, audience);
    Result<bool> row = scope_sum_.Step();
    if (!row.ok()) {
      scope_sum_.Reset();
      return row.status();
    }
    wire::SyncResponse::ScopeCheck check;
    check.audience = audience;
    if (*row) check.sum = SumFromColumns(scope_sum_, 0);  // none yet: no rows
    scope_sum_.Reset();
    page->scope_sums.push_back(std::move(check));
  }
  return Status::Ok();
}

Result<bool> PullBuilder::CopyRow(const Entry& e, SqlStmt& into, std::string_view base) {
  SqlStmt& read = copies_[e.table].read;
  read.Bind(1, e.pk);
  Result<bool> found = read.Step();
  if (!found.ok() || !*found) {
    read.Reset();
    return found;
  }
  const int n = read.ColumnCount();
  for (int i = 0; i < n; ++i) into.Bind(i + 1, read.Column(i));
  Result<ColumnValues> device = DecodeEchoBase(base);
  if (!device.ok()) {
    read.Reset();
    return device.status();
  }
  for (const auto& [col, v] : *device)
    if (col < n) into.BindRef(col + 1, v);
  Status s = into.Run();
  read.Reset();
  Q11_RETURN_IF_ERROR(s);
  return true;
}

Result<PullPage> PullBuilder::Build(const std::vector<std::string>& audiences, uint64_t cursor,
                                    uint32_t limit, std::string_view device_id,
                                    bool with_builtin_reference) {
  PullPage page;
  if (audiences.empty() || audiences.size() > 4 || limit == 0)
    return InvalidArgument("bad pull parameters");
  {
    // One read transaction: the page and the cursor come from the same snapshot.
    Q11_RETURN_IF_ERROR(db_.BeginRead());
    Status s = ReadPage(audiences, cursor, limit, device_id, &page);
    if (s.ok() && with_builtin_reference && cursor == 0) s = AddBuiltinReference();
    if (s.ok() && !page.has_more) s = ReadScopeSums(audiences, &page);
    Result<std::string> cs = s.ok() ? MakeChangeset(&page.rows) : Result<std::string>(s);
    if (!cs.ok()) {
      db_.Rollback();
      return cs.status();
    }
    page.changeset = std::move(*cs);
    Q11_RETURN_IF_ERROR(db_.Commit());
  }
  // Leave the scratch database empty (outside any session) for the next pull.
  if (page.rows > kReuseScratchUpTo) {
    Q11_RETURN_IF_ERROR(OpenScratch());
  } else {
    for (TableCopy& c : copies_) Q11_RETURN_IF_ERROR(c.clear.Run());
  }
  if (page.rows == 0) page.changeset.clear();
  return page;
}

}  // namespace q11::server
