#include "scope_rows.h"

#include <algorithm>
#include <string_view>

#include "device_schema.h"
#include "protocol/schema.h"
#include "status_macros.h"

namespace q11::device {
namespace {

struct TableShape {
  int columns = 0;
  int pk_column = -1;  // the one primary-key column's index
  std::string pk_name;
};

Result<TableShape> ShapeOf(sql::Db& db, const std::string& table) {
  Q11_ASSIGN_OR_RETURN(sql::Statement info,
                       db.Prepare("SELECT cid, name, pk FROM pragma_table_info(?) ORDER BY cid"));
  info.Bind(1, table);
  TableShape shape;
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, info.Step());
    if (!row) break;
    ++shape.columns;
    if (info.Int(2) == 1) {
      shape.pk_column = static_cast<int>(info.Int(0));
      shape.pk_name = info.Text(1);
    } else if (info.Int(2) > 1) {
      return Internal("table " + table + " has a composite primary key");
    }
  }
  if (shape.columns == 0) return Internal("no table " + table);
  if (shape.pk_column < 0) return Internal("table " + table + " has no primary key");
  return shape;
}

// "table" quoted as an SQL identifier (names come from our own list, quoted all the same).
std::string Quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// The digest of the row `st` is on: its values in column order, by storage class.
wire::Digest128 RowDigest(const std::string& table, sqlite3_stmt* st, int columns) {
  wire::RowDigester d(table);
  for (int i = 0; i < columns; ++i) {
    switch (sqlite3_column_type(st, i)) {
      case SQLITE_NULL:
        d.AddNull();
        break;
      case SQLITE_INTEGER:
        d.AddInteger(sqlite3_column_int64(st, i));
        break;
      case SQLITE_FLOAT:
        d.AddReal(sqlite3_column_double(st, i));
        break;
      case SQLITE_TEXT: {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
        d.AddText(std::string_view(p != nullptr ? p : "", sqlite3_column_bytes(st, i)));
        break;
      }
      default: {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(st, i));
        d.AddBlob(std::string_view(p != nullptr ? p : "", sqlite3_column_bytes(st, i)));
        break;
      }
    }
  }
  return d.Finish();
}

// Calls `each(pk, digest)` for every row of `table`.
template <typename Each>
Status ScanTable(sql::Db& db, const std::string& table, Each each) {
  Q11_ASSIGN_OR_RETURN(TableShape shape, ShapeOf(db, table));
  Q11_ASSIGN_OR_RETURN(sql::Statement rows, db.Prepare("SELECT * FROM " + Quoted(table)));
  for (;;) {
    Q11_ASSIGN_OR_RETURN(bool row, rows.Step());
    if (!row) return Status::Ok();
    each(rows, shape.pk_column, RowDigest(table, rows.get(), shape.columns));
  }
}

}  // namespace

bool& VerifyReferenceScope() {
  static bool verify = true;
  return verify;
}

bool ScopeVerified(const std::string& audience) {
  return audience != "ref" || VerifyReferenceScope();
}

const std::vector<std::string>& ScopeTables(const std::string& audience) {
  // The reference tables the server publishes under the audience "ref": the one list both
  // sides use (protocol/schema.h).
  static const auto* ref = new std::vector<std::string>(schema::kPublishedReferenceTables.begin(),
                                                        schema::kPublishedReferenceTables.end());
  static const auto* own = [] {
    auto* v = new std::vector<std::string>;
    for (const std::string& t : SyncedTableNames())
      if (std::find(ref->begin(), ref->end(), t) == ref->end()) v->push_back(t);
    return v;
  }();
  return audience == "ref" ? *ref : *own;
}

Result<wire::ScopeSum> ScopeSumOf(sql::Db& db, const std::vector<std::string>& tables) {
  wire::ScopeSum sum;
  for (const std::string& t : tables)
    Q11_RETURN_IF_ERROR(
        ScanTable(db, t, [&sum](sql::Statement&, int, const wire::Digest128& d) { sum.Add(d); }));
  return sum;
}

Result<ScopeRows> ReadScopeRows(sql::Db& db, const std::vector<std::string>& tables) {
  ScopeRows out;
  for (const std::string& t : tables) {
    auto& rows = out.tables[t];
    Q11_RETURN_IF_ERROR(
        ScanTable(db, t, [&rows, &out](sql::Statement& st, int pk, const wire::Digest128& d) {
          rows[st.Text(pk)] = d;
          out.sum.Add(d);
        }));
  }
  return out;
}

const char* RowDiffKindName(RowDiff::Kind kind) {
  switch (kind) {
    case RowDiff::kMissing:
      return "missing";
    case RowDiff::kExtra:
      return "extra";
    default:
      return "changed";
  }
}

std::vector<RowDiff> DiffScopeRows(const ScopeRows& device, const ScopeRows& server) {
  static const std::map<std::string, wire::Digest128> kNone;
  std::vector<RowDiff> out;
  std::vector<std::string> names;
  for (const auto& [t, rows] : device.tables) names.push_back(t);
  for (const auto& [t, rows] : server.tables)
    if (!device.tables.count(t)) names.push_back(t);
  std::sort(names.begin(), names.end());
  for (const std::string& t : names) {
    auto d_it = device.tables.find(t);
    auto s_it = server.tables.find(t);
    const auto& mine = d_it != device.tables.end() ? d_it->second : kNone;
    const auto& theirs = s_it != server.tables.end() ? s_it->second : kNone;
    // Both maps are ordered by id: one merge walk.
    auto a = mine.begin();
    auto b = theirs.begin();
    while (a != mine.end() || b != theirs.end()) {
      if (b == theirs.end() || (a != mine.end() && a->first < b->first)) {
        out.push_back({t, a->first, RowDiff::kExtra});
        ++a;
      } else if (a == mine.end() || b->first < a->first) {
        out.push_back({t, b->first, RowDiff::kMissing});
        ++b;
      } else {
        if (!(a->second == b->second)) out.push_back({t, a->first, RowDiff::kChanged});
        ++a, ++b;
      }
    }
  }
  return out;
}

Status MakeRowsEqual(sql::Db& db, sql::Db& source, const std::vector<RowDiff>& diffs) {
  std::string table;
  TableShape shape;
  sql::Statement read, write, erase;
  for (const RowDiff& diff : diffs) {
    if (diff.table != table) {
      table = diff.table;
      Q11_ASSIGN_OR_RETURN(shape, ShapeOf(db, table));
      const std::string q = Quoted(table), pk = Quoted(shape.pk_name);
      Q11_ASSIGN_OR_RETURN(read, source.Prepare("SELECT * FROM " + q + " WHERE " + pk + " = ?"));
      std::string marks;
      for (int i = 0; i < shape.columns; ++i) marks += i == 0 ? "?" : ", ?";
      Q11_ASSIGN_OR_RETURN(write,
                           db.Prepare("INSERT OR REPLACE INTO " + q + " VALUES (" + marks + ")"));
      Q11_ASSIGN_OR_RETURN(erase, db.Prepare("DELETE FROM " + q + " WHERE " + pk + " = ?"));
    }
    if (diff.kind == RowDiff::kExtra) {
      Q11_RETURN_IF_ERROR(erase.Bind(1, diff.id).Run());
      continue;
    }
    read.Bind(1, diff.id);
    Q11_ASSIGN_OR_RETURN(bool found, read.Step());
    if (!found) {
      read.Reset();
      return Internal("row " + table + " " + diff.id + " vanished from the server's copy");
    }
    // The value exactly as stored there (storage class and bytes), so its digest is the same.
    for (int i = 0; i < shape.columns; ++i)
      sqlite3_bind_value(write.get(), i + 1, sqlite3_column_value(read.get(), i));
    Status s = write.Run();
    read.Reset();
    if (!s.ok()) return Status(s.code(), "repair " + table + " " + diff.id + ": " + s.message());
  }
  return Status::Ok();
}

}  // namespace q11::device
