#include "sync/changelog/scope_sums.h"

#include <algorithm>
#include <memory>

#include "protocol/schema.h"
#include "sync/access_scope.h"
#include "sync/changelog/row_digests.h"

namespace q11::server {

std::string JoinAudiences(const std::vector<std::string>& audiences) {
  // Sorted, so that the same audiences always read the same (the scan finds them in
  // another order than the push files them).
  std::vector<std::string_view> sorted(audiences.begin(), audiences.end());
  std::sort(sorted.begin(), sorted.end());
  std::string out;
  for (std::string_view a : sorted) {
    if (!out.empty()) out += '\n';
    out += a;
  }
  return out;
}

std::vector<std::string_view> SplitAudiences(std::string_view joined) {
  std::vector<std::string_view> out;
  while (!joined.empty()) {
    const size_t cut = joined.find('\n');
    out.push_back(joined.substr(0, cut));
    if (cut == std::string_view::npos) break;
    joined.remove_prefix(cut + 1);
  }
  return out;
}

void AddScopeSum(wire::ScopeSum* sum, const wire::ScopeSum& d) {
  sum->rows += d.rows;
  sum->sum.hi += d.sum.hi;
  sum->sum.lo += d.sum.lo;
}

wire::ScopeSum SumFromColumns(const SqlStmt& st, int first) {
  wire::ScopeSum s;
  s.rows = static_cast<uint64_t>(st.Int(first));
  s.sum.hi = static_cast<uint64_t>(st.Int(first + 1));
  s.sum.lo = static_cast<uint64_t>(st.Int(first + 2));
  return s;
}

void BindScopeSum(SqlStmt& st, int first, const wire::ScopeSum& sum) {
  st.Bind(first, static_cast<int64_t>(sum.rows))
      .Bind(first + 1, static_cast<int64_t>(sum.sum.hi))
      .Bind(first + 2, static_cast<int64_t>(sum.sum.lo));
}

Result<ScopeSums> ReadScopeSums(SqlConn& db) {
  Result<SqlStmt> st = db.Prepare("SELECT audience, row_count, sum_hi, sum_lo FROM scope_sums");
  if (!st.ok()) return st.status();
  ScopeSums out;
  Q11_RETURN_IF_ERROR(
      EachRow(*st, [&](const SqlStmt& row) { out[row.Text(0)] = SumFromColumns(row, 1); }));
  return out;
}

namespace {

// Adds to sums["ref"] each row of the published reference tables that neither row_log nor
// (unless `all`) unlogged_ref holds; with `store`, notes it in unlogged_ref.
Status CountUnloggedReference(SqlConn& db, const TableShapes& shapes, RowDigests& digests,
                              bool store, ScopeSums* sums, bool all = true) {
  std::vector<std::pair<std::string, std::string>> rows;  // (table, pk)
  for (std::string_view table : schema::kPublishedReferenceTables) {
    const TableShape* shape = shapes.Find(table);
    if (shape == nullptr)
      return Internal("reference table " + std::string(table) + " is not synced");
    const std::string pk = "\"" + shape->columns[shape->pk_column] + "\"";
    Result<SqlStmt> st = db.Prepare(
        "SELECT t." + pk + " FROM \"" + shape->name +
        "\" t WHERE NOT EXISTS (SELECT 1 FROM row_log l WHERE l.tbl = ?1 AND l.pk = t." + pk + ")" +
        (all ? std::string()
             : " AND NOT EXISTS (SELECT 1 FROM unlogged_ref u WHERE u.tbl = ?1 AND u.pk = t." + pk +
                   ")"));
    if (!st.ok()) return st.status();
    st->Bind(1, table);
    Q11_RETURN_IF_ERROR(
        EachRow(*st, [&](const SqlStmt& row) { rows.emplace_back(table, row.Text(0)); }));
  }
  if (rows.empty()) return Status::Ok();
  SqlStmt note;
  if (store) {
    Result<SqlStmt> n = db.Prepare(
        "INSERT INTO unlogged_ref (tbl, pk, digest_hi, digest_lo) VALUES (?1, ?2, ?3, ?4)");
    if (!n.ok()) return n.status();
    note = std::move(*n);
  }
  for (const auto& [table, pk] : rows) {
    Result<std::optional<wire::Digest128>> d = digests.Of(table, pk);
    if (!d.ok()) return d.status();
    if (!d->has_value()) continue;
    (*sums)[std::string(kReferenceAudience)].Add(**d);
    if (store) {
      note.Bind(1, table).Bind(2, pk);
      note.Bind(3, static_cast<int64_t>((*d)->hi)).Bind(4, static_cast<int64_t>((*d)->lo));
      Q11_RETURN_IF_ERROR(note.Run());
    }
  }
  return Status::Ok();
}

}  // namespace

Result<ScopeSums> ComputeScopeSums(SqlConn& db, const TableShapes& shapes, bool store,
                                   const ScopeScanProgress& progress) {
  Result<std::unique_ptr<RowDigests>> digests = RowDigests::Create(db, shapes);
  if (!digests.ok()) return digests.status();
  Result<std::optional<std::string>> total_text =
      db.QueryText("SELECT count(*) FROM row_log WHERE deleted = 0");
  if (!total_text.ok()) return total_text.status();
  const int64_t total = std::stoll(total_text->value_or("0"));
  SqlStmt write_digest;
  if (store) {
    Q11_RETURN_IF_ERROR(
        db.Exec("UPDATE row_log SET digest_hi = NULL, digest_lo = NULL, digest_audiences = NULL "
                "WHERE digest_hi IS NOT NULL OR digest_audiences IS NOT NULL"));
    Result<SqlStmt> w = db.Prepare(
        "UPDATE row_log SET digest_hi = ?3, digest_lo = ?4, digest_audiences = ?5 "
        "WHERE tbl = ?1 AND pk = ?2");
    if (!w.ok()) return w.status();
    write_digest = std::move(*w);
  }
  // Each live row's current audiences, a row's together (row_audience has no index by row:
  // one scan and a sort).
  Result<SqlStmt> scan = db.Prepare(
      "SELECT a.tbl, a.pk, a.audience FROM row_audience a JOIN row_log l "
      "ON l.tbl = a.tbl AND l.pk = a.pk WHERE a.seq = l.seq AND a.gone = 0 AND l.deleted = 0 "
      "ORDER BY a.tbl, a.pk");
  if (!scan.ok()) return scan.status();
  ScopeSums sums;
  int64_t done = 0;
  std::string table, pk;
  std::vector<std::string> audiences;
  // Counts the row gathered in (table, pk, audiences).
  auto count = [&]() -> Status {
    if (audiences.empty()) return Status::Ok();
    Result<std::optional<wire::Digest128>> d = (*digests)->Of(table, pk);
    if (!d.ok()) return d.status();
    if (d->has_value()) {  // a row logged as live but gone counts nowhere, as pulls skip it
      for (const std::string& a : audiences) sums[a].Add(**d);
      if (store) {
        write_digest.Bind(1, table).Bind(2, pk);
        write_digest.Bind(3, static_cast<int64_t>((*d)->hi))
            .Bind(4, static_cast<int64_t>((*d)->lo))
            .Bind(5, JoinAudiences(audiences));
        Q11_RETURN_IF_ERROR(write_digest.Run());
      }
    }
    audiences.clear();
    if (++done % 10000 == 0 && progress) progress(done, total);
    return Status::Ok();
  };
  for (;;) {
    Result<bool> row = scan->Step();
    if (!row.ok()) {
      scan->Reset();
      return row.status();
    }
    if (!*row) break;
    if (scan->Text(0) != table || scan->Text(1) != pk) {
      Status s = count();
      if (!s.ok()) {
        scan->Reset();
        return s;
      }
      table = scan->Text(0);
      pk = scan->Text(1);
    }
    audiences.push_back(scan->Text(2));
  }
  scan->Reset();
  Q11_RETURN_IF_ERROR(count());
  if (store) Q11_RETURN_IF_ERROR(db.Exec("DELETE FROM unlogged_ref"));
  Q11_RETURN_IF_ERROR(CountUnloggedReference(db, shapes, **digests, store, &sums));
  if (progress) progress(done, total);
  if (store) {
    Q11_RETURN_IF_ERROR(db.Exec("DELETE FROM scope_sums"));
    Result<SqlStmt> insert = db.Prepare(
        "INSERT INTO scope_sums (audience, row_count, sum_hi, sum_lo) VALUES (?1, ?2, ?3, ?4)");
    if (!insert.ok()) return insert.status();
    for (const auto& [audience, sum] : sums) {
      insert->Bind(1, audience);
      BindScopeSum(*insert, 2, sum);
      Q11_RETURN_IF_ERROR(insert->Run());
    }
  }
  return sums;
}

Status EnsureScopeSums(SqlConn& db, const TableShapes& shapes, const ScopeScanProgress& progress) {
  Result<SqlTransaction> txn = SqlTransaction::Write(db);
  if (!txn.ok()) return txn.status();
  // Read under the write lock: of two servers upgrading one PostgreSQL database at once,
  // the second finds the first one's work done.
  Result<std::optional<std::string>> done =
      db.QueryText("SELECT value FROM meta WHERE key = 'scope_sums'");
  if (!done.ok()) return done.status();
  if (done->has_value()) {
    // Built-in reference rows a newer build seeded at this open: counted from now on.
    Result<std::unique_ptr<RowDigests>> digests = RowDigests::Create(db, shapes);
    if (!digests.ok()) return digests.status();
    ScopeSums added;
    Q11_RETURN_IF_ERROR(
        CountUnloggedReference(db, shapes, **digests, /*store=*/true, &added, /*all=*/false));
    if (added.empty()) return Status::Ok();
    ScopeSums kept;
    Result<SqlStmt> read =
        db.Prepare("SELECT row_count, sum_hi, sum_lo FROM scope_sums WHERE audience = ?1");
    if (!read.ok()) return read.status();
    read->Bind(1, kReferenceAudience);
    wire::ScopeSum sum;
    Q11_RETURN_IF_ERROR(EachRow(*read, [&](const SqlStmt& row) { sum = SumFromColumns(row, 0); }));
    AddScopeSum(&sum, added.begin()->second);
    Result<SqlStmt> write = db.Prepare(
        "INSERT INTO scope_sums (audience, row_count, sum_hi, sum_lo) VALUES (?1, ?2, ?3, ?4) "
        "ON CONFLICT (audience) DO UPDATE SET row_count = excluded.row_count, "
        "sum_hi = excluded.sum_hi, sum_lo = excluded.sum_lo");
    if (!write.ok()) return write.status();
    write->Bind(1, kReferenceAudience);
    BindScopeSum(*write, 2, sum);
    Q11_RETURN_IF_ERROR(write->Run());
    return txn->Commit();
  }
  Result<ScopeSums> sums = ComputeScopeSums(db, shapes, /*store=*/true, progress);
  if (!sums.ok()) return sums.status();
  Q11_RETURN_IF_ERROR(db.Exec("INSERT INTO meta (key, value) VALUES ('scope_sums', 1)"));
  return txn->Commit();
}

std::vector<ScopeDifference> CompareScopeSums(const ScopeSums& kept, const ScopeSums& actual) {
  std::vector<ScopeDifference> out;
  auto sum_of = [](const ScopeSums& sums, const std::string& audience) {
    auto it = sums.find(audience);
    return it == sums.end() ? wire::ScopeSum{} : it->second;
  };
  std::map<std::string, bool> audiences;
  for (const auto& [a, s] : kept) audiences[a] = true;
  for (const auto& [a, s] : actual) audiences[a] = true;
  for (const auto& [a, unused] : audiences) {
    ScopeDifference d{a, sum_of(kept, a), sum_of(actual, a)};
    if (!(d.kept == d.actual)) out.push_back(std::move(d));
  }
  return out;
}

std::string_view ScopeKind(std::string_view audience) {
  if (audience == "ref") return "ref";
  if (audience == "all") return "all";
  if (audience.substr(0, 2) == "u:") return "unit";
  if (audience.substr(0, 2) == "r:") return "reporter";
  return "other";
}

}  // namespace q11::server
