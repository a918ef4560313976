// ctest "web: admin console": prepares a real parked conflict on the real server (two
// officials change the same report's status offline), runs the browser test
// (admin_console.test.mjs: log in, open the conflict, resolve it with "take device"), then
// syncs an official's device and checks the resolution reached it.
//
// Exits 77 (ctest SKIP_RETURN_CODE) when the browser tooling is missing: chromium
// (/usr/bin/chromium or $Q11_CHROMIUM), node in PATH, or tests/web/node_modules
// (scripts/install-deps installs them). Any other failure is a test failure.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <cstdlib>
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

std::string StatusOf(const std::string& db_path, const std::string& id) {
  auto db = Must(sql::Db::Open(db_path, false), "open device db");
  auto v = Must(db.QueryText("SELECT status FROM reports WHERE id = '" + id + "'"), "query");
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
  if (!server.AddUser("admin", admin_password, "admin") ||
      !server.AddUser("dan", "mat-khau-dan", "citizen") ||
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
  auto citizen = open("dan", "mat-khau-dan");
  auto a = open("canbo.a", "mat-khau-a");
  auto b = open("canbo.b", "mat-khau-b");
  NewReport report;
  report.category_id = "chieu-sang";
  report.ward_id = "p04";
  report.title = "Đèn đường hỏng trước số 12";
  report.description = "Đèn tắt cả tuần nay, hẻm rất tối.";
  std::string id = Must(citizen->FileReport(report), "file report");
  SyncNow(*citizen, url);
  SyncNow(*a, url);
  SyncNow(*b, url);
  MustOk(a->ExecCaptured("UPDATE reports SET status = 'accepted' WHERE id = '" + id + "'"), "A");
  MustOk(b->ExecCaptured("UPDATE reports SET status = 'rejected' WHERE id = '" + id + "'"), "B");
  SyncNow(*a, url);
  if (SyncNow(*b, url).parked != 1) Fail("B's change was not parked");
  SyncNow(*a, url);
  if (StatusOf(tmp.File("canbo.a.db"), id) != "accepted") Fail("A should hold 'accepted' first");

  CommandResult list =
      Run({SyncserverBin(), "conflicts", "list", "--data=" + server.data_dir(), "--json"});
  if (list.exit_code != 0) Fail("conflicts list: " + list.err);
  auto conflicts =
      Poco::JSON::Parser().parse(list.out).extract<Poco::JSON::Object::Ptr>()->getArray(
          "conflicts");
  if (conflicts->size() != 1) Fail("expected one open conflict: " + list.out);
  const std::string conflict_id = conflicts->getObject(0)->getValue<std::string>("id");
  std::printf("prepared conflict %s on report %s at %s\n", conflict_id.c_str(), id.c_str(),
              url.c_str());

  CommandResult browser =
      Run({node, web_dir + "/admin_console.test.mjs", "--url=" + url, "--conflict=" + conflict_id,
           "--user=admin", "--password=" + admin_password, "--column=status",
           "--chromium=" + chromium, "--screenshot=" + out_dir + "/admin_console.png"});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");

  // The admin took the device's value: official A's device gets it at its next sync.
  SyncNow(*a, url);
  const std::string now = StatusOf(tmp.File("canbo.a.db"), id);
  if (now != "rejected") Fail("official A's device holds '" + now + "' after sync, not 'rejected'");
  std::printf("ok - the resolution reached official A's device after its sync (status %s)\n",
              now.c_str());
  return 0;
}
