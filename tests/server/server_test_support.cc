#include "server_test_support.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "auth/accounts.h"
#include "protocol/ids.h"
#include "protocol/schema.h"
#include "q11sqlite/changeset_encoding.h"

namespace q11::server::test {

TempDir::TempDir() {
  char tmpl[] = "/tmp/q11-server-test-XXXXXX";
  char* p = mkdtemp(tmpl);
  REQUIRE(p != nullptr);
  path_ = p;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

DeviceDb::DeviceDb(const std::string& ddl) {
  auto db = sql::Db::Open(":memory:");
  REQUIRE(db.ok());
  conn_ = SqliteConn(std::move(*db));
  if (ddl.empty()) {
    REQUIRE(conn_.db().Exec(schema::SyncedTablesSql()).ok());
    REQUIRE(conn_.db().Exec(schema::ReferenceDataSql()).ok());
  } else {
    REQUIRE(conn_.db().Exec(ddl).ok());
  }
}

void DeviceDb::Exec(const std::string& sql) {
  Status s = conn_.db().Exec(sql);
  INFO(s.ToString());
  REQUIRE(s.ok());
}

std::string DeviceDb::Capture(const std::string& sql) {
  auto tables = conn_.db().Prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
  REQUIRE(tables.ok());
  std::vector<std::string> names;
  while (*tables->Step()) names.push_back(tables->Text(0));
  auto session = sql::Session::Create(conn_.db(), names);
  REQUIRE(session.ok());
  Exec(sql);
  auto cs = session->Changeset();
  REQUIRE(cs.ok());
  return *cs;
}

StoreFixture::StoreFixture() {
  db_path = dir.path() + "/syncserver.db";
  StoreOptions options;
  options.clock = [this] { return now_ms; };
  auto s = OpenSqliteStore(db_path, options);
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  store = std::move(*s);
  citizen = AddAccount("lan", Role::kCitizen);
  other_citizen = AddAccount("minh", Role::kCitizen);
  official_p04 = AddAccount("canbo.p04", Role::kOfficial, "p04");
  official_p05 = AddAccount("canbo.p05", Role::kOfficial, "p05");
  official_q11 = AddAccount("canbo.q11", Role::kOfficial, "q11");
  leader = AddAccount("lanhdao", Role::kLeader);
}

Account StoreFixture::AddAccount(const std::string& name, Role role, const std::string& unit) {
  // Few iterations: these tests are about sync, not password cost.
  auto a = CreateAccount(*store, NewAccount{name, "mat-khau-" + name, role, unit}, kNowMs, 1000);
  INFO(a.status().ToString());
  REQUIRE(a.ok());
  return *a;
}

wire::EntryVerdict StoreFixture::PushOne(const Account& who, const std::string& device,
                                         uint64_t local_seq, const std::string& changeset) {
  REQUIRE(store->BindDevice(device, who).ok());
  auto v = store->Push(who, device, {wire::PushEntry{local_seq, changeset}});
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  REQUIRE(v->size() == 1);
  return v->front();
}

std::string StoreFixture::Query(const std::string& sql) {
  auto db = sql::Db::Open(db_path, false);
  REQUIRE(db.ok());
  auto v = db->QueryText(sql);
  INFO(v.status().ToString());
  REQUIRE(v.ok());
  return v->value_or("NULL");
}

std::string InsertReportSql(const std::string& id, const std::string& ward,
                            const std::string& category, const std::string& title) {
  return "INSERT INTO reports (id, kind, category_id, ward_id, title, description, lat, lon, "
         "address, status, "
         "assigned_unit, due_at, reporter_ref, created_at, updated_at) VALUES ('" +
         id + "', 'phan_anh', '" + category + "', '" + ward + "', '" + title +
         "', 'Rác không được thu gom ba ngày nay.', 10.76, 106.65, NULL, 'new', NULL, NULL, NULL, "
         "'2026-11-27T08:00:00.000Z', '2026-11-27T08:00:00.000Z')";
}

std::string NewId() {
  static int counter = 0;
  std::array<uint8_t, 10> r{};
  int n = ++counter;
  for (int i = 0; i < 4; ++i) r[9 - i] = static_cast<uint8_t>(n >> (8 * i));
  return MakeUuid7(kNowMs - 3600000, r);
}

void PullInto(StoreFixture& f, const Account& who, DeviceDb& dev) {
  auto page = f.store->Pull(who, 0, 0);
  REQUIRE(page.ok());
  if (page->changeset.empty()) return;
  REQUIRE(sql::ApplyChangeset(dev.db(), page->changeset, [](int kind, sqlite3_changeset_iter*) {
            return kind == SQLITE_CHANGESET_NOTFOUND ? sql::ConflictAction::kOmit
                                                     : sql::ConflictAction::kReplace;
          }).ok());
}

namespace {

void PutText(std::string* out, const std::optional<std::string>& v) {
  if (!v) {
    out->push_back('\x00');  // undefined
    return;
  }
  out->push_back('\x03');
  sql::AppendChangesetVarint(out, v->size());
  *out += *v;
}

}  // namespace

std::string ForgedReportUpdate(const std::string& id, const std::vector<ForgedColumn>& columns) {
  DeviceDb shape;
  auto info = shape.db().Prepare("SELECT name, pk FROM pragma_table_info('reports') ORDER BY cid");
  REQUIRE(info.ok());
  std::vector<std::string> names;
  std::string pk_flags;
  while (*info->Step()) {
    names.push_back(info->Text(0));
    pk_flags.push_back(static_cast<char>(info->Int(1)));
  }
  std::vector<std::optional<std::string>> olds(names.size()), news(names.size());
  olds[0] = id;
  for (const ForgedColumn& c : columns) {
    auto it = std::find(names.begin(), names.end(), c.name);
    REQUIRE(it != names.end());
    olds[it - names.begin()] = c.old_value;
    news[it - names.begin()] = c.new_value;
  }
  std::string out = "T";
  sql::AppendChangesetVarint(&out, names.size());
  out += pk_flags;
  out += "reports";
  out.push_back('\x00');
  out.push_back(static_cast<char>(SQLITE_UPDATE));
  out.push_back('\x00');  // not indirect
  for (const auto& v : olds) PutText(&out, v);
  for (const auto& v : news) PutText(&out, v);
  return out;
}

void RequireRejected(const wire::EntryVerdict& v, const std::string& needle) {
  INFO(v.message);
  CHECK(v.verdict == wire::Verdict::kRejected);
  CHECK(v.server_seq == 0);
  CHECK_THAT(v.message, Catch::Contains(needle));
}

}  // namespace q11::server::test
