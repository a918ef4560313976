// Units change (docs/units.md) end to end: the real server on a loopback port, real device
// databases through devicecore, and `syncserver units ...` on the server's data (either
// engine). A merge moves the open cases of the old wards with their history and photos,
// devices of the old ward lose them and those of the new ward get them, a device offline
// during the merge still lands its report in the right ward, and lying devices are refused.
#include <catch2/catch.hpp>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "cli_driver.h"
#include "device_helpers.h"
#include "devicecore/account.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "protocol/schema.h"
#include "protocol/sync_messages.h"
#include "q11sqlite/changeset_shape_check.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

NewReport Sample(const std::string& ward, const std::string& title) {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = ward;
  r.title = title;
  r.description = "Đèn đường tắt cả tuần, đường tối.";
  return r;
}

struct Town {
  explicit Town(std::vector<std::string> serve_args = {})
      : server(tmp.File("server")), args(std::move(serve_args)) {
    REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
    REQUIRE(server.AddUser("minh", "mat-khau-minh", "citizen"));
    REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
    REQUIRE(server.AddUser("canbo.p05", "mat-khau-p05", "official", "p05"));
    REQUIRE(server.Start(args));
    lan = Device("lan", "mat-khau-lan");
    minh = Device("minh", "mat-khau-minh");
    p04 = Device("canbo.p04", "mat-khau-p04");
    p05 = Device("canbo.p05", "mat-khau-p05");
  }

  std::unique_ptr<Database> Device(const std::string& user, const std::string& password) {
    paths[user] = tmp.File(user + ".db");
    auto db = OpenDevice(paths[user]);
    auto http = Connect(server.url());
    auto login = Login(*db, *http, server.url(), user, password);
    INFO(login.status().ToString());
    REQUIRE(login.ok());
    return db;
  }

  SyncResult SyncOk(Database& db) {
    auto http = Connect(server.url());
    auto r = Sync(db, *http);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  // `syncserver units ARGS --data=DIR [--database=URL]` with the server stopped, then the
  // server again on the same port (it reads the units when it starts).
  CommandResult Units(std::vector<std::string> args) {
    server.Stop();
    args.insert(args.begin(), {SyncserverBin(), "units"});
    args.push_back("--data=" + server.data_dir());
    const std::string url = DatabaseUrlFor(server.data_dir());
    if (!url.empty()) args.push_back("--database=" + url);
    CommandResult r = Run(args);
    REQUIRE(server.Start(this->args));
    return r;
  }

  std::string Server(const std::string& sql) { return ServerDbValue(server.data_dir(), sql); }

  std::string DeviceValue(const std::string& user, const std::string& sql) {
    auto raw = sql::Db::Open(paths[user], false);
    REQUIRE(raw.ok());
    return raw->QueryText(sql)->value_or("");
  }

  TempDir tmp;
  ServerProcess server;
  std::vector<std::string> args;  // of `serve`, kept across restarts
  std::map<std::string, std::string> paths;
  std::unique_ptr<Database> lan, minh, p04, p05;
};

}  // namespace

TEST_CASE("Units merge: open cases move with history and photos, devices follow, closed stay") {
  Town t;
  auto open = t.lan->FileReport(Sample("p05", "Đèn đường hỏng hẻm 7"));
  REQUIRE(open.ok());
  std::ofstream(t.tmp.File("den.jpg"), std::ios::binary) << "\xFF\xD8\xFF\xE0 JPEG-ish bytes";
  REQUIRE(AttachPhotos(*t.lan, *open, {t.tmp.File("den.jpg")}).ok());
  auto done = t.lan->FileReport(Sample("p05", "Đèn đã sửa"));
  REQUIRE(done.ok());
  t.SyncOk(*t.lan);
  t.SyncOk(*t.p05);
  REQUIRE(t.p05->SetStatus(*open, "accepted", "Đã tiếp nhận").ok());
  REQUIRE(t.p05->SetStatus(*done, "rejected", "Không thuộc thẩm quyền").ok());
  t.SyncOk(*t.p05);
  t.SyncOk(*t.p04);
  REQUIRE(t.p04->ListReports()->empty());

  // The district official assigns the open case to ward 5 while offline, not yet synced.
  REQUIRE(t.server.AddUser("canbo.q11", "mat-khau-q11", "official", "q11"));
  auto district = t.Device("canbo.q11", "mat-khau-q11");
  t.SyncOk(*district);
  REQUIRE(district->AssignUnit(*open, "p05", "Giao phường 5").ok());

  // The citizen minh is offline during the merge with a report for ward 5 waiting.
  auto late = t.minh->FileReport(Sample("p05", "Gửi khi chưa có mạng"));
  REQUIRE(late.ok());

  CommandResult merged = t.Units({"merge", "--from=p05", "--into=p04"});
  INFO(merged.out << merged.err);
  REQUIRE(merged.exit_code == 0);
  CHECK_THAT(merged.out, Catch::Contains("open cases moved: 1"));

  // On the server: the open case moved, with a system assignment event; the rejected one
  // keeps the ward of its time; p05 is retired into p04.
  CHECK(t.Server("SELECT ward_id FROM reports WHERE id = '" + *open + "'") == "p04");
  CHECK(t.Server("SELECT ward_id FROM reports WHERE id = '" + *done + "'") == "p05");
  CHECK(t.Server("SELECT kind FROM units WHERE id = 'p05'") == "retired");
  CHECK(t.Server("SELECT successor_id FROM retired_units WHERE unit_id = 'p05'") == "p04");
  CHECK_THAT(t.Server("SELECT note FROM case_events WHERE report_id = '" + *open +
                      "' AND kind = 'assignment'"),
             Catch::Contains("do sắp xếp đơn vị hành chính"));

  // Devices follow: ward 5's device loses the open case with its events and photos, ward
  // 4's gets them; every device learns that p05 is retired (no longer offered).
  t.SyncOk(*t.p05);
  t.SyncOk(*t.p04);
  t.SyncOk(*t.lan);
  CHECK_FALSE(t.p05->GetReport(*open).ok());
  CHECK(t.DeviceValue("canbo.p05", "SELECT count(*) FROM photos") == "0");
  CHECK(t.p05->GetReport(*done).ok());  // closed: stays with the unit of its time
  auto moved = t.p04->GetReport(*open);
  REQUIRE(moved.ok());
  CHECK(moved->ward_id == "p04");
  CHECK(moved->events.size() == 2);  // accepted + the merge's assignment
  CHECK(ListPhotos(*t.p04, *open)->size() == 1);
  CHECK(t.lan->GetReport(*open)->ward_id == "p04");
  for (const char* user : {"lan", "canbo.p04", "canbo.p05"})
    CHECK(t.DeviceValue(user, "SELECT kind FROM units WHERE id = 'p05'") == "retired");
  CHECK_FALSE(t.lan->FileReport(Sample("p05", "Phường đã sáp nhập")).ok());

  // The device that was offline: its report for ward 5 lands in ward 4, and it pulls the
  // corrected row.
  SyncResult r = t.SyncOk(*t.minh);
  CHECK(r.applied == 1);
  CHECK(r.rejected == 0);
  CHECK(t.Server("SELECT ward_id FROM reports WHERE id = '" + *late + "'") == "p04");
  CHECK(t.minh->GetReport(*late)->ward_id == "p04");
  t.SyncOk(*t.p04);
  CHECK(t.p04->GetReport(*late).ok());

  // The district official's pending assignment to the old unit goes to its successor.
  r = t.SyncOk(*district);
  CHECK(r.rejected == 0);
  CHECK(t.Server("SELECT assigned_unit FROM reports WHERE id = '" + *open + "'") == "p04");
  CHECK(t.Server("SELECT count(*) FROM case_events WHERE report_id = '" + *open +
                 "' AND kind = 'assignment' AND unit_id = 'p04'") == "2");
  CHECK(district->GetReport(*open)->assigned_unit == std::optional<std::string>("p04"));
  // Now that it knows, the device no longer offers the old unit.
  CHECK_FALSE(district->AssignUnit(*open, "p05", "Giao phường 5").ok());
}

TEST_CASE("Units: accounts move with --move-accounts; retire refuses a unit still in use") {
  Town t;
  auto open = t.lan->FileReport(Sample("p05", "Cây đổ"));
  REQUIRE(open.ok());
  t.SyncOk(*t.lan);

  CommandResult busy = t.Units({"retire", "--unit=p05"});
  CHECK(busy.exit_code == 1);
  CHECK_THAT(busy.err, Catch::Contains("open cases"));
  CHECK(t.Server("SELECT kind FROM units WHERE id = 'p05'") == "ward");

  CommandResult bad = t.Units({"merge", "--from=p05", "--into=phong-qldt"});
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("only be merged into a ward"));

  CommandResult added =
      t.Units({"add", "--id=p-moi", "--kind=ward", "--name-vi=Phường Mới", "--name-en=New Ward"});
  INFO(added.err);
  REQUIRE(added.exit_code == 0);
  CommandResult merged = t.Units({"merge", "--from=p05,p06", "--into=p-moi", "--move-accounts"});
  INFO(merged.out << merged.err);
  REQUIRE(merged.exit_code == 0);
  CHECK(t.Server("SELECT unit_id FROM users WHERE name = 'canbo.p05'") == "p-moi");
  // The moved official signs in again and gets the ward's cases.
  auto moved = t.Device("canbo.p05", "mat-khau-p05");
  t.SyncOk(*moved);
  CHECK(moved->GetReport(*open).ok());
  CommandResult list = t.Units({"list"});
  CHECK_THAT(list.out, Catch::Contains("p-moi"));
  CHECK_THAT(list.out, Catch::Contains("→ p-moi"));

  // A unit retired without a successor: a device still naming it is refused, whole.
  CommandResult retired = t.Units({"retire", "--unit=p16"});
  INFO(retired.err);
  REQUIRE(retired.exit_code == 0);
  auto minh_report = t.minh->FileReport(Sample("p16", "Phường không còn"));
  REQUIRE(minh_report.ok());  // the device has not synced since: it still offers p16
  SyncResult r = t.SyncOk(*t.minh);
  CHECK(r.rejected == 1);
  CHECK(t.Server("SELECT count(*) FROM reports WHERE id = '" + *minh_report + "'") == "0");
  // While the server runs, a change is refused and nothing is written: the server would go
  // on judging pushes by the units it read at its start.
  CommandResult running =
      Run({SyncserverBin(), "units", "add", "--data=" + t.server.data_dir(), "--id=phuong-moi",
           "--kind=ward", "--name-vi=Phường Mới", "--name-en=New Ward"});
  CHECK(running.exit_code == 1);
  CHECK_THAT(running.err, Catch::Contains("a server is running on the data folder"));
  CHECK(t.Server("SELECT count(*) FROM units WHERE id = 'phuong-moi'") == "0");
  CommandResult listed = Run({SyncserverBin(), "units", "list", "--data=" + t.server.data_dir()});
  CHECK(listed.exit_code == 0);  // reading is fine
  // A new official of a retired unit would see nothing: refused, naming the successor.
  auto add_official = [&](const std::string& unit) {
    return Run({SyncserverBin(), "user", "add", "--data=" + t.server.data_dir(),
                "--name=canbo.moi." + unit, "--password=mat-khau-moi", "--role=official",
                "--unit=" + unit});
  };
  CommandResult old_ward = add_official("p05");
  CHECK(old_ward.exit_code == 1);
  CHECK_THAT(old_ward.err, Catch::Contains("unit 'p05' was retired, merged into 'p-moi'"));
  CommandResult gone = add_official("p16");
  CHECK(gone.exit_code == 1);
  CHECK_THAT(gone.err, Catch::Contains("unit 'p16' was retired (docs/units.md)"));
  CHECK(t.Server("SELECT count(*) FROM users WHERE name LIKE 'canbo.moi.%'") == "0");
  CHECK(add_official("p-moi").exit_code == 0);
}

TEST_CASE("Units: devices may not write reference data (units, categories, holidays, templates)") {
  Town t;
  for (const char* sql :
       {"UPDATE units SET kind = 'ward' WHERE id = 'q11'",
        "INSERT INTO units (id, parent_id, kind, name_vi, name_en) VALUES ('gia', 'q11', 'ward', "
        "'Giả', 'Fake')",
        "UPDATE categories SET default_unit = 'p05' WHERE id = 'rac-thai'",
        "INSERT INTO holidays (day, name_vi, name_en) VALUES ('2031-01-02', 'Nghỉ giả', 'Fake')",
        "DELETE FROM holidays WHERE day = '2026-04-30'",
        "UPDATE response_templates SET body_vi = 'Giả' WHERE id = 'tiep-nhan'",
        "INSERT INTO response_templates (id, status, title_vi, body_vi) VALUES ('gia', "
        "'accepted', 'Giả', 'Giả')"}) {
    INFO(sql);
    REQUIRE(t.p04->ExecCaptured(sql).ok());
    SyncResult r = t.SyncOk(*t.p04);
    CHECK(r.rejected == 1);
    CHECK(r.applied == 0);
  }
  CHECK(t.Server("SELECT count(*) FROM units WHERE id = 'gia'") == "0");
  CHECK(t.Server("SELECT default_unit FROM categories WHERE id = 'rac-thai'") == "phong-tnmt");
  CHECK(t.Server("SELECT count(*) FROM holidays WHERE day IN ('2031-01-02', '2026-04-30')") == "1");
  CHECK(t.Server("SELECT count(*) FROM response_templates WHERE id = 'gia' OR body_vi = 'Giả'") ==
        "0");
}

namespace {

// Rows of `sql` as "a|b|c\n" lines: on the server (either engine), or on a device file.
std::string ServerLines(Town& t, const std::string& sql) {
  std::string error;
  auto rows = ServerRows(t.server.data_dir(), sql, &error);
  INFO(error);
  REQUIRE(rows.has_value());
  std::string out;
  for (const TextRow& row : *rows) {
    for (const auto& v : row) out += v.value_or("∅") + "|";
    out += "\n";
  }
  return out;
}

std::string DeviceLines(Town& t, const std::string& user, const std::string& sql, int columns) {
  auto raw = sql::Db::Open(t.paths[user], false);
  REQUIRE(raw.ok());
  auto st = raw->Prepare(sql);
  REQUIRE(st.ok());
  std::string out;
  for (;;) {
    auto row = st->Step();
    REQUIRE(row.ok());
    if (!*row) break;
    for (int i = 0; i < columns; ++i) out += (st->IsNull(i) ? std::string("∅") : st->Text(i)) + "|";
    out += "\n";
  }
  return out;
}

std::set<std::string> TemplateIds(Database& db, const std::string& status) {
  auto templates = db.ListTemplates(status);
  REQUIRE(templates.ok());
  std::set<std::string> ids;
  for (const ResponseTemplate& x : *templates) ids.insert(x.id);
  return ids;
}

}  // namespace

TEST_CASE("Units: holidays and response templates of a reference folder reach every device") {
  // The operator's own set: a copy of q11-2018 (the tests' wards) in a folder.
  TempDir folder;
  const std::string ref = folder.File("danh-muc");
  std::filesystem::create_directory(ref);
  for (const char* f : {"reference.sql", "holidays.sql"})
    std::filesystem::copy_file(std::string(Q11_SAMPLES_DIR) + "/q11-2018/" + f, ref + "/" + f);
  Town t({"--reference=" + ref});
  t.SyncOk(*t.lan);
  t.SyncOk(*t.p04);
  REQUIRE(TemplateIds(*t.p04, "rejected").count("thieu-thong-tin") == 1);

  // The operator edits the folder and restarts the server.
  std::ofstream(ref + "/zz-sua-doi.sql")
      << "INSERT INTO holidays VALUES ('2027-12-31', 'Nghỉ bù cuối năm', 'Year-end day off');\n"
         "UPDATE holidays SET name_en = 'Reunification Day (30/4)' WHERE day = '2026-04-30';\n"
         "DELETE FROM holidays WHERE day = '2026-05-01';\n"
         "UPDATE response_templates SET body_vi = 'Phường đã nhận phản ánh, sẽ trả lời trong 2 "
         "ngày làm việc.' WHERE id = 'tiep-nhan';\n"
         "INSERT INTO response_templates VALUES ('hen-kiem-tra', 'in_progress', 'Hẹn kiểm tra', "
         "'Cán bộ sẽ kiểm tra thực tế trong tuần này.');\n"
         "DELETE FROM response_templates WHERE id = 'thieu-thong-tin';\n";
  t.server.Stop();
  REQUIRE(t.server.Start(t.args));
  CHECK(t.Server("SELECT name_vi FROM holidays WHERE day = '2027-12-31'") == "Nghỉ bù cuối năm");
  CHECK(t.Server("SELECT count(*) FROM holidays WHERE day = '2026-05-01'") == "0");

  // Both the official and the citizen get the change at their next sync.
  for (Database* db : {t.p04.get(), t.lan.get()}) t.SyncOk(*db);
  const std::string holidays = "SELECT day, name_vi, name_en FROM holidays ORDER BY day";
  const std::string templates =
      "SELECT id, status, title_vi, body_vi FROM response_templates ORDER BY id";
  const std::string on_server = ServerLines(t, holidays);
  CHECK_THAT(on_server, Catch::Contains("2027-12-31|Nghỉ bù cuối năm|Year-end day off|"));
  CHECK_THAT(on_server, Catch::Contains("Reunification Day (30/4)"));
  for (const char* user : {"canbo.p04", "lan"}) {
    INFO(user);
    CHECK(DeviceLines(t, user, holidays, 3) == on_server);
    CHECK(DeviceLines(t, user, templates, 4) == ServerLines(t, templates));
  }
  // What the official's app offers (device API, C API, q11 CLI, PWA all read this).
  auto accepted = t.p04->ListTemplates("accepted");
  REQUIRE(accepted.ok());
  bool edited = false;
  for (const ResponseTemplate& x : *accepted)
    if (x.id == "tiep-nhan") edited = x.body_vi.find("2 ngày làm việc") != std::string::npos;
  CHECK(edited);
  CHECK(TemplateIds(*t.p04, "in_progress").count("hen-kiem-tra") == 1);
  CHECK(TemplateIds(*t.p04, "rejected").count("thieu-thong-tin") == 0);

  // An app of synced schema version 2 (before these two tables travelled) has them compiled
  // in but its check refuses a pull naming them: its pull leaves them out. Version 3's has
  // them.
  auto account = t.p04->GetAccount();
  REQUIRE(account.ok());
  auto scratch = sql::Db::Open(":memory:");
  REQUIRE(scratch.ok());
  REQUIRE(scratch->Exec(std::string(schema::SyncedTablesSql())).ok());
  auto version2_tables = sql::SyncableTables::Load(
      *scratch, {"units", "categories", "reports", "case_events", "photos"});
  REQUIRE(version2_tables.ok());
  for (int version : {2, 3}) {
    INFO("an app of version " << version);
    wire::SyncRequest full;
    full.device_id = "0190aaaa-0000-7000-8000-0000000000v" + std::to_string(version);
    full.schema_version = version;
    auto reply = Connect(t.server.url())
                     ->Post("/v1/sync", "application/x-q11-sync", wire::EncodeSyncRequest(full),
                            account->token);
    REQUIRE(reply.ok());
    REQUIRE(reply->status == 200);
    auto response = wire::DecodeSyncResponse(reply->body);
    REQUIRE(response.ok());
    CHECK_FALSE(response->has_more);
    std::optional<sql::ShapeError> refused =
        sql::CheckChangesetShape(response->pull_changeset, *version2_tables);
    if (version == 2) {
      CHECK_FALSE(refused.has_value());
    } else {
      REQUIRE(refused.has_value());
      CHECK((refused->table == "holidays" || refused->table == "response_templates"));
    }
  }

  // Starting again with the same folder writes nothing.
  const std::string seq = t.Server("SELECT max(seq) FROM row_log");
  t.server.Stop();
  REQUIRE(t.server.Start(t.args));
  CHECK(t.Server("SELECT max(seq) FROM row_log") == seq);
  CHECK(t.SyncOk(*t.p04).pulled_rows == 0);
}

TEST_CASE("Units: the 2025 reference set retires the 2018 wards into their successors") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("lan", "mat-khau-lan", "citizen"));
  REQUIRE(server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"));
  // A device filed offline with the 2018 seed it was built with, before the first sync.
  auto lan = OpenDevice(tmp.File("lan.db"));
  auto early = lan->FileReport(Sample("p04", "Trước lần đồng bộ đầu"));
  REQUIRE(early.ok());
  REQUIRE(server.Start({"--reference=hcmc-2025"}));
  auto http = Connect(server.url());
  REQUIRE(Login(*lan, *http, server.url(), "lan", "mat-khau-lan").ok());
  auto r = Sync(*lan, *http);
  REQUIRE(r.ok());
  CHECK(r->rejected == 0);
  const std::string successor = ServerDbValue(
      server.data_dir(), "SELECT successor_id FROM retired_units WHERE unit_id = 'p04'");
  CHECK(successor == "hoa-binh");
  CHECK(ServerDbValue(server.data_dir(),
                      "SELECT ward_id FROM reports WHERE id = '" + *early + "'") == successor);
  CHECK(ServerDbValue(server.data_dir(), "SELECT unit_id FROM users WHERE name = 'canbo.p04'") ==
        successor);
  // The device now offers the 2025 wards and not the 2018 ones.
  auto units = lan->ListUnits();
  REQUIRE(units.ok());
  std::set<std::string> wards;
  for (const Unit& u : *units)
    if (u.kind == "ward") wards.insert(u.id);
  CHECK(wards == std::set<std::string>{"binh-thoi", "hoa-binh", "minh-phung", "phu-tho"});
  CHECK(lan->GetReport(*early)->ward_id == "hoa-binh");
  auto cats = lan->ListCategories();
  REQUIRE(cats.ok());
  for (const Category& c : *cats)
    if (c.id == "rac-thai") CHECK(c.default_unit == "so-nn-mt");
  // A restart with the same set changes nothing more.
  const std::string seq = ServerDbValue(server.data_dir(), "SELECT max(seq) FROM row_log");
  server.Stop();
  REQUIRE(server.Start({"--reference=hcmc-2025"}));
  CHECK(ServerDbValue(server.data_dir(), "SELECT max(seq) FROM row_log") == seq);
}

// `syncserver report units --json` figures: unit id → received.
std::map<std::string, int> Received(Town& t, const std::string& from, const std::string& to) {
  std::vector<std::string> args = {
      SyncserverBin(),  "report",     "units", "--data=" + t.server.data_dir(),
      "--from=" + from, "--to=" + to, "--json"};
  const std::string url = DatabaseUrlFor(t.server.data_dir());
  if (!url.empty()) args.push_back("--database=" + url);
  CommandResult r = Run(args);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::map<std::string, int> out;
  auto units = ParseObject(r.out)->getArray("units");
  for (size_t i = 0; i < units->size(); ++i) {
    auto u = units->getObject(static_cast<unsigned>(i));
    out[u->getValue<std::string>("id")] = u->getValue<int>("received");
  }
  return out;
}

TEST_CASE("Units: monitoring counts a period before the merge under the units of that time") {
  TempDir clock_dir;
  const std::string clock = clock_dir.File("clock");
  Town t({"--clock-file=" + clock});
  // Everything before the merge happens three days ago on the server's clock.
  REQUIRE(t.server.AdvanceClock(std::chrono::hours(-72)));
  auto r1 = t.lan->FileReport(Sample("p05", "Ổ gà trước chợ"));
  REQUIRE(r1.ok());
  auto r2 = t.lan->FileReport(Sample("p04", "Đèn tắt"));
  REQUIRE(r2.ok());
  t.SyncOk(*t.lan);
  const std::string then_day =
      ServerDbValue(t.server.data_dir(),
                    "SELECT substr(received_at, 1, 10) FROM reports WHERE id = '" + *r1 + "'");
  REQUIRE(!then_day.empty());
  // (received_at is UTC; the test keeps clear of Vietnam's midnight by using a 2-day period)
  auto before = [&] {
    std::tm tm{};
    strptime(then_day.c_str(), "%Y-%m-%d", &tm);
    time_t day = timegm(&tm);
    char from[16], to[16];
    time_t f = day - 86400, e = day + 86400;
    strftime(from, sizeof from, "%Y-%m-%d", gmtime(&f));
    strftime(to, sizeof to, "%Y-%m-%d", gmtime(&e));
    return std::pair<std::string, std::string>(from, to);
  }();
  auto old_figures = Received(t, before.first, before.second);
  CHECK(old_figures["p05"] == 1);
  CHECK(old_figures["p04"] == 1);

  // The merge happens now (the wall clock, three days later).
  REQUIRE(t.server.AdvanceClock(std::chrono::hours(72)));
  CommandResult merged = t.Units({"merge", "--from=p05", "--into=p04"});
  INFO(merged.err);
  REQUIRE(merged.exit_code == 0);
  // The period before the merge still shows ward 5's case under ward 5...
  auto same = Received(t, before.first, before.second);
  CHECK(same["p05"] == 1);
  CHECK(same["p04"] == 1);
  // ...and a period running past the merge counts it where it is now.
  std::time_t now = std::time(nullptr) + 86400;
  char today[16];
  strftime(today, sizeof today, "%Y-%m-%d", gmtime(&now));
  auto after = Received(t, before.first, today);
  CHECK(after["p05"] == 0);
  CHECK(after["p04"] == 2);
}
