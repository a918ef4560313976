// ctest "web: admin console": prepares three real parked conflicts on the real server, runs
// the browser test (admin_console.test.mjs), then syncs an official's device and checks
// that both decisions reached it.
//   1. status: official A accepts a report ("Đã tiếp nhận ..."), official B, offline,
//      rejects it ("Không thuộc thẩm quyền ..."): B's status is parked; the admin uses B's.
//   2. unit: A assigns a report to Phòng Quản lý đô thị, B to Đội Thanh tra: B's unit is
//      parked; the admin picks a third unit, Phòng Tài nguyên và Môi trường, from the list.
//   3. citizen: A accepts a report while its citizen, offline, edits its title: parked
//      whole. The console names the citizen only by pseudonym; the browser test checks
//      that the citizen's account name appears nowhere on the page.
//
// Exits 77 (ctest SKIP_RETURN_CODE) when the browser tooling is missing: chromium
// (/usr/bin/chromium or $Q11_CHROMIUM), node in PATH, or tests/web/node_modules
// (scripts/install-deps installs them). Any other failure is a test failure.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>

#include "browser_driver.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using namespace q11::test::web;

namespace {

SyncResult SyncNow(Database& db, const std::string& url) {
  auto http = Must(MakeHttpTransport(url), "connect");
  return Must(Sync(db, *http), "sync");
}

std::string ColumnOf(const std::string& db_path, const std::string& column, const std::string& id) {
  auto db = Must(sql::Db::Open(db_path, false), "open device db");
  auto v =
      Must(db.QueryText("SELECT " + column + " FROM reports WHERE id = '" + id + "'"), "query");
  return v.value_or("(none)");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s TESTS_WEB_DIR OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::string web_dir = argv[1], out_dir = argv[2];
  std::optional<BrowserTools> tools = FindBrowserTools(web_dir);
  if (!tools) return MissingTools();
  const std::string &chromium = tools->chromium, &node = tools->node;

  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  const std::string admin_password = "quan-tri-2026";
  // A citizen's account name that must never reach the console.
  const std::string citizen_name = "nguyen.thi.hoa";
  if (!server.AddUser("admin", admin_password, "admin") ||
      !server.AddUser(citizen_name, "mat-khau-dan", "citizen") ||
      !server.AddUser("canbo.a", "mat-khau-a", "official", "q11") ||
      !server.AddUser("canbo.b", "mat-khau-b", "official", "q11"))
    Fail("adding accounts");
  if (!server.Start()) Fail("server start: " + server.error());
  const std::string url = server.url();

  auto open = [&](const std::string& user, const std::string& password) {
    auto db = Must(Database::Open(tmp.File(user + ".db")), "open " + user);
    auto http = Must(MakeHttpTransport(url), "connect");
    Must(Login(*db, *http, url, user, password), "login " + user);
    return db;
  };
  auto citizen = open(citizen_name, "mat-khau-dan");
  auto a = open("canbo.a", "mat-khau-a");
  auto b = open("canbo.b", "mat-khau-b");
  auto file = [&](const std::string& title) {
    NewReport report;
    report.category_id = "chieu-sang";
    report.ward_id = "p04";
    report.title = title;
    report.description = "Đèn tắt cả tuần nay, hẻm rất tối.";
    return Must(citizen->FileReport(report), "file report");
  };
  const std::string status_report = file("Đèn đường hỏng trước số 12");
  const std::string unit_report = file("Cây đổ chắn lối đi hẻm 7");
  const std::string citizen_report = file("Nắp cống hở trước chợ");
  SyncNow(*citizen, url);
  SyncNow(*a, url);
  SyncNow(*b, url);

  MustOk(a->SetStatus(status_report, "accepted", "Đã tiếp nhận, tổ dân phố kiểm tra"), "A accepts");
  MustOk(b->SetStatus(status_report, "rejected", "Không thuộc thẩm quyền phường"), "B rejects");
  MustOk(a->AssignUnit(unit_report, "phong-qldt", "Chuyển Phòng Quản lý đô thị xử lý"), "A");
  MustOk(b->AssignUnit(unit_report, "doi-ttdt", "Giao Đội Thanh tra địa bàn"), "B assigns");
  MustOk(a->SetStatus(citizen_report, "accepted", "Đã tiếp nhận"), "A accepts the third");
  MustOk(citizen->EditReport(citizen_report, std::string("Nắp cống hở, rất nguy hiểm"), {}),
         "the citizen edits");
  SyncNow(*a, url);
  if (int parked = SyncNow(*b, url).parked; parked != 2)
    Fail("B's two changes should be parked, not " + std::to_string(parked));
  if (SyncNow(*citizen, url).parked != 1) Fail("the citizen's edit should be parked");
  SyncNow(*a, url);
  if (ColumnOf(tmp.File("canbo.a.db"), "status", status_report) != "accepted")
    Fail("A should hold 'accepted' first");

  CommandResult list =
      Run({SyncserverBin(), "conflicts", "list", "--data=" + server.data_dir(), "--json"});
  if (list.exit_code != 0) Fail("conflicts list: " + list.err);
  auto conflicts =
      Poco::JSON::Parser().parse(list.out).extract<Poco::JSON::Object::Ptr>()->getArray(
          "conflicts");
  std::map<std::string, std::string> by_report;
  for (size_t i = 0; i < conflicts->size(); ++i)
    by_report[conflicts->getObject(i)->getValue<std::string>("row_id")] =
        conflicts->getObject(i)->getValue<std::string>("id");
  if (conflicts->size() != 3 || by_report.size() != 3)
    Fail("expected three open conflicts: " + list.out);
  auto receipt = [&](const std::string& id) {
    return Must(citizen->GetReport(id), "get report").receipt_code.value_or("");
  };
  std::printf("prepared conflicts at %s\n", url.c_str());

  CommandResult browser =
      Run({node, web_dir + "/admin_console.test.mjs", "--url=" + url,
           "--conflict=" + by_report[status_report], "--receipt=" + receipt(status_report),
           "--title=Đèn đường hỏng trước số 12", "--unit-conflict=" + by_report[unit_report],
           "--citizen-conflict=" + by_report[citizen_report], "--citizen-name=" + citizen_name,
           "--user=admin", "--password=" + admin_password, "--chromium=" + chromium,
           "--screenshot=" + out_dir + "/admin_console.png"});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");

  // Official A's device gets both decisions at its next sync: B's status, the chosen unit.
  SyncNow(*a, url);
  const std::string status = ColumnOf(tmp.File("canbo.a.db"), "status", status_report);
  if (status != "rejected") Fail("official A's device holds '" + status + "', not 'rejected'");
  const std::string unit = ColumnOf(tmp.File("canbo.a.db"), "assigned_unit", unit_report);
  if (unit != "phong-tnmt") Fail("official A's device holds unit '" + unit + "', not phong-tnmt");
  std::printf(
      "ok - both decisions reached official A's device after its sync (status %s, unit %s)\n",
      status.c_str(), unit.c_str());
  return 0;
}
