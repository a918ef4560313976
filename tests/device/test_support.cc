#include "test_support.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "protocol/schema.h"

namespace q11::device::test {

void FakeEnv::RandomBytes(uint8_t* out, size_t n) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>((counter_ >> (8 * (i % 8))) + i);
  ++counter_;
}

Result<HttpReply> FakeTransport::Post(std::string_view path, std::string_view content_type,
                                      std::string_view body, std::string_view bearer) {
  calls.push_back(
      {std::string(path), std::string(content_type), std::string(body), std::string(bearer)});
  if (!script.empty()) {
    Handler h = std::move(script.front());
    script.pop_front();
    return h(calls.back());
  }
  if (fallback) return fallback(calls.back());
  return Unavailable("fake transport: no answer scripted");
}

std::vector<wire::SyncRequest> FakeTransport::SyncRequests() const {
  std::vector<wire::SyncRequest> out;
  for (const Call& c : calls) {
    if (c.path != "/v1/sync") continue;
    auto req = wire::DecodeSyncRequest(c.body);
    if (!req.ok()) throw std::runtime_error("undecodable sync request: " + req.status().ToString());
    out.push_back(std::move(req).value());
  }
  return out;
}

HttpReply SyncReply(const wire::SyncResponse& resp) {
  HttpReply r;
  r.status = 200;
  r.content_type = "application/x-q11-sync";
  r.body = wire::EncodeSyncResponse(resp);
  r.bytes_sent = 100;
  r.bytes_received = 100 + static_cast<int64_t>(r.body.size());
  return r;
}

HttpReply ErrorReply(int status, const std::string& code, const std::string& message) {
  HttpReply r;
  r.status = status;
  r.content_type = "application/json";
  r.body = "{\"error\":\"" + code + "\",\"message\":\"" + message + "\",\"message_vi\":\"Lỗi\"}";
  r.bytes_received = static_cast<int64_t>(r.body.size());
  return r;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "q11dev-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

PullBuilder::PullBuilder() {
  auto db = sql::Db::Open(":memory:");
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  db_ = std::move(db).value();
  Status s = db_.Exec(q11::schema::SyncedTablesSql());
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

PullBuilder& PullBuilder::Before(const std::string& sql) {
  before_.push_back(sql);
  return *this;
}

PullBuilder& PullBuilder::Change(const std::string& sql) {
  changes_.push_back(sql);
  return *this;
}

std::string PullBuilder::Build() {
  auto check = [](const Status& s) {
    if (!s.ok()) throw std::runtime_error(s.ToString());
  };
  for (const std::string& s : before_) check(db_.Exec(s));
  std::vector<std::string> tables(q11::schema::kSyncedTables.begin(),
                                  q11::schema::kSyncedTables.end());
  auto session = sql::Session::Create(db_, tables);
  check(session.status());
  for (const std::string& s : changes_) check(db_.Exec(s));
  auto cs = session->Changeset();
  check(cs.status());
  return *cs;
}

std::string Dump(const std::string& path) {
  auto db = sql::Db::Open(path, /*create=*/false);
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  std::string out;
  for (const char* pragma : {"PRAGMA user_version", "PRAGMA application_id"}) {
    auto v = db->QueryText(pragma);
    out += std::string(pragma) + "=" + (v.ok() && *v ? **v : "?") + "\n";
  }
  auto tables = db->Prepare("SELECT name, sql FROM sqlite_master ORDER BY type, name");
  std::vector<std::pair<std::string, std::string>> names;
  while (true) {
    auto row = tables->Step();
    if (!row.ok() || !*row) break;
    names.emplace_back(tables->Text(0), tables->Text(1));
  }
  for (const auto& [name, ddl] : names) {
    out += "== " + name + ": " + ddl + "\n";
    if (ddl.rfind("CREATE TABLE", 0) != 0) continue;
    auto st = db->Prepare("SELECT * FROM \"" + name + "\" ORDER BY 1");
    if (!st.ok()) throw std::runtime_error(st.status().ToString());
    int n = sqlite3_column_count(st->get());
    while (true) {
      auto row = st->Step();
      if (!row.ok() || !*row) break;
      for (int c = 0; c < n; ++c) {
        sqlite3_value* v = sqlite3_column_value(st->get(), c);
        if (sqlite3_value_type(v) == SQLITE_BLOB) {
          static const char* hex = "0123456789abcdef";
          std::string b = st->Blob(c);
          out += "x'";
          for (unsigned char ch : b) out += {hex[ch >> 4], hex[ch & 15]};
          out += "'";
        } else {
          out += sql::DescribeValue(v);
        }
        out += c + 1 < n ? "|" : "\n";
      }
    }
  }
  return out;
}

Account TestAccount(const std::string& role, const std::string& unit) {
  Account a;
  a.server_url = "http://fake";
  a.token = "token-" + role;
  a.user_id = "u-" + role;
  a.name = role;
  a.role = role;
  a.unit = unit;
  a.reporter_ref = role == "citizen" ? "r-abc" : "";
  return a;
}

std::string ReportRowSql(const std::string& id, const std::string& status,
                         const std::string& assigned_unit, const std::string& title) {
  std::string unit = assigned_unit.empty() ? "NULL" : "'" + assigned_unit + "'";
  return "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
         "address, status, assigned_unit, due_at, reporter_ref, created_at, updated_at) VALUES ('" +
         id + "', 'phan_anh', 'rac-thai', 'p05', '" + title + "', 'mô tả', 10.76, 106.65, NULL, '" +
         status + "', " + unit +
         ", '2027-01-17T00:00:00.000Z', 'r-abc', '2027-01-15T00:00:00.000Z', "
         "'2027-01-15T00:00:00.000Z')";
}

std::string Query(const std::string& path, const std::string& sql) {
  auto db = sql::Db::Open(path, /*create=*/false);
  if (!db.ok()) throw std::runtime_error(db.status().ToString());
  auto v = db->QueryText(sql);
  if (!v.ok()) throw std::runtime_error(v.status().ToString());
  return v->value_or("NULL");
}

}  // namespace q11::device::test
