// ctest "web: receipt page": files a report as a citizen who registered with a phone and an
// e-mail, lets an official accept it, then runs receipt_page.test.mjs in headless chromium
// against the public page with the receipt code, passing the reporter's data as text that
// must not appear. Exits 77 (skip) when chromium, node or tests/web/node_modules is missing.
#include <cstdio>
#include <string>

#include "browser_driver.h"
#include "devicecore/account.h"
#include "devicecore/database.h"
#include "devicecore/sync.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using namespace q11::test::web;

namespace {

void SyncNow(Database& db, const std::string& url) {
  auto http = Must(MakeHttpTransport(url), "connect");
  Must(Sync(db, *http), "sync");
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
  if (!server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04")) Fail("adding accounts");
  if (!server.Start()) Fail("server start: " + server.error());
  const std::string url = server.url();

  auto citizen = Must(Database::Open(tmp.File("lan.db")), "open citizen");
  {
    auto http = Must(MakeHttpTransport(url), "connect");
    Registration who;
    who.name = "lan.nguyen";
    who.password = "mat-khau-lan";
    who.phone = "0907654321";
    who.email = "lan.nguyen@example.vn";
    Must(Register(*citizen, *http, url, who), "register");
  }
  NewReport report;
  report.category_id = "chieu-sang";
  report.ward_id = "p04";
  report.title = "Đèn đường hỏng trước số 12";
  report.description = "Đèn tắt cả tuần nay, hẻm rất tối.";
  report.address = "Số 12 hẻm 34 Lạc Long Quân";
  std::string id = Must(citizen->FileReport(report), "file report");
  SyncNow(*citizen, url);
  Report filed = Must(citizen->GetReport(id), "report");
  if (!filed.receipt_code || !filed.reporter_ref) Fail("no receipt code or reporter_ref");

  auto official = Must(Database::Open(tmp.File("canbo.db")), "open official");
  {
    auto http = Must(MakeHttpTransport(url), "connect");
    Must(Login(*official, *http, url, "canbo.p04", "mat-khau-p04"), "login official");
  }
  SyncNow(*official, url);
  if (!official->SetStatus(id, "accepted", "Đã tiếp nhận, chuyển Phòng QLĐT").ok()) Fail("accept");
  SyncNow(*official, url);

  CommandResult browser = Run(
      {node, web_dir + "/receipt_page.test.mjs", "--url=" + url, "--code=" + *filed.receipt_code,
       "--secret=" + *filed.reporter_ref, "--secret=0907654321", "--secret=lan.nguyen",
       "--secret=" + report.title, "--secret=" + report.description, "--secret=" + *report.address,
       "--chromium=" + chromium, "--screenshot=" + out_dir + "/receipt_page.png"});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");
  return 0;
}
