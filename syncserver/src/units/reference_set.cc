#include "units/reference_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "protocol/schema.h"
#include "q11sqlite/sqlite.h"
#include "units/builtin_sets.h"

namespace q11::server {
namespace {

namespace fs = std::filesystem;

constexpr const char* kSuccessorsSql =
    "CREATE TABLE successors (unit_id TEXT PRIMARY KEY NOT NULL, successor_id TEXT NOT NULL)";

Status RunFile(sql::Db& db, const std::string& name, std::string_view text) {
  Status s = db.Exec(text);
  if (!s.ok())
    return InvalidArgument("reference set file " + name + ": " + s.message() + " / tệp danh mục " +
                           name + " bị lỗi");
  return Status::Ok();
}

Status ReadRows(sql::Db& db, std::string_view table, std::vector<std::vector<Value>>* out) {
  Result<sql::Statement> st = db.Prepare("SELECT * FROM " + std::string(table));
  if (!st.ok()) return st.status();
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
    std::vector<Value> values;
    const int n = sqlite3_column_count(st->get());
    for (int i = 0; i < n; ++i) values.push_back(ColumnValue(st->get(), i));
    out->push_back(std::move(values));
  }
}

// What would make the server's data wrong: a category or unit naming a unit the set lacks,
// a successor that is not in the set.
Status CheckSet(const ReferenceSet& set) {
  std::set<std::string, std::less<>> units;
  for (const auto& u : set.rows.at("units")) units.insert(u[0].s);
  auto bad = [&](const std::string& what) {
    return InvalidArgument("reference set " + set.source + ": " + what +
                           " / bộ danh mục không nhất quán");
  };
  if (units.empty()) return bad("it has no units");
  for (const auto& u : set.rows.at("units"))
    if (!u[1].is_null() && !units.count(u[1].text()))
      return bad("unit " + u[0].s + " names parent " + u[1].s + ", which it does not have");
  for (const auto& c : set.rows.at("categories"))
    if (!units.count(c[3].text()))
      return bad("category " + c[0].s + " names default unit " + c[3].s +
                 ", which it does not have");
  for (const auto& [from, to] : set.successors) {
    if (units.count(from)) return bad("unit " + from + " has a successor but is in the set");
    if (!units.count(to)) return bad("successor " + to + " of " + from + " is not in the set");
  }
  return Status::Ok();
}

}  // namespace

Result<ReferenceSet> LoadReferenceSet(std::string_view name_or_dir) {
  ReferenceSet set;
  set.source = std::string(name_or_dir);
  Result<sql::Db> db = sql::Db::Open(":memory:");
  if (!db.ok()) return db.status();
  Q11_RETURN_IF_ERROR(db->Exec(schema::SyncedTablesSql()));
  Q11_RETURN_IF_ERROR(db->Exec(kSuccessorsSql));
  std::error_code ec;
  const bool folder = name_or_dir.find('/') != std::string_view::npos ||
                      fs::is_directory(fs::path(std::string(name_or_dir)), ec);
  if (!folder) {
    std::optional<std::string_view> sql = BuiltinReferenceSql(name_or_dir);
    if (!sql) {
      std::string names;
      for (std::string_view n : BuiltinReferenceSets())
        names += (names.empty() ? "" : ", ") + std::string(n);
      return NotFound("no reference set named '" + set.source + "' (built in: " + names +
                      "; or give a folder) / không có bộ danh mục này");
    }
    Q11_RETURN_IF_ERROR(RunFile(*db, set.source, *sql));
  } else {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(fs::path(std::string(name_or_dir)), ec))
      if (e.is_regular_file() && e.path().extension() == ".sql") files.push_back(e.path());
    if (ec)
      return NotFound("cannot read reference folder " + set.source + ": " + ec.message() +
                      " / không đọc được thư mục danh mục");
    if (files.empty())
      return NotFound("reference folder " + set.source + " holds no .sql file" +
                      " / thư mục danh mục không có tệp .sql");
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream text;
      text << in.rdbuf();
      if (!in) return NotFound("cannot read " + f.string() + " / không đọc được tệp");
      Q11_RETURN_IF_ERROR(RunFile(*db, f.string(), text.str()));
    }
  }
  for (std::string_view table : kReferenceTables)
    Q11_RETURN_IF_ERROR(ReadRows(*db, table, &set.rows[std::string(table)]));
  Result<sql::Statement> st = db->Prepare("SELECT unit_id, successor_id FROM successors");
  if (!st.ok()) return st.status();
  for (;;) {
    Result<bool> row = st->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    set.successors[st->Text(0)] = st->Text(1);
  }
  Q11_RETURN_IF_ERROR(CheckSet(set));
  return set;
}

}  // namespace q11::server
