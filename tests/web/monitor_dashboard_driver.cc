// ctest "web: monitor dashboard": writes the hand-computed monitoring fixture
// (tests/support/monitor_fixture.h) into a fresh server database, starts the real server
// with a leader and an official, then runs monitor_dashboard.test.mjs in headless chromium:
// the leader's numbers against the fixture, units without cases, the drill-down to an
// overdue case and its history (by mouse and by keyboard alone), a CSV download, phone
// width, and a screenshot (its path is printed); and the same figures from `syncserver
// report units --csv`. For the photos in the case view, a citizen's phone files a report
// in p04 with a real photo and sends it; the server's clock then moves 30 days on, so the
// report is overdue and the leader finds it in p04's drill-down. Exits 77 (skip) when
// chromium, node or tests/web/node_modules is missing.
#include <vips/vips.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "browser_driver.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "monitor_fixture.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using namespace q11::test::web;

namespace {

// A real JPEG (grey noise, width × height) at `path`: the server decodes and re-encodes
// every photo, so it must be an image.
void WriteJpeg(const std::string& path, int width, int height) {
  if (VIPS_INIT("q11-web-tests") != 0) Fail("libvips does not start");
  VipsImage* noise = nullptr;
  VipsImage* bytes = nullptr;
  if (vips_gaussnoise(&noise, width, height, "mean", 128.0, "sigma", 40.0, nullptr) != 0 ||
      vips_cast_uchar(noise, &bytes, nullptr) != 0)
    Fail("making a test image");
  g_object_unref(noise);
  const int saved = vips_jpegsave(bytes, path.c_str(), "Q", 90, nullptr);
  g_object_unref(bytes);
  if (saved != 0) Fail("writing " + path);
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
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  // `user add` creates the database with its schema and reference data.
  if (!server.AddUser("lanhdao", "lanhdao-2026", "leader") ||
      !server.AddUser("canbo.p04", "p04-2026", "official", "p04") ||
      !server.AddUser("dan.p04", "dan-2026", "citizen"))
    Fail("adding accounts");
  {
    auto db = Must(sql::Db::Open(server.data_dir() + "/syncserver.db", false), "open database");
    MustOk(db.Exec(kMonitorFixtureSql), "write the fixture");
  }
  if (!server.Start({"--clock-file=" + tmp.File("server.clock")}))
    Fail("server start: " + server.error());

  // A citizen's phone files a report with a photo and sends both (Sync uploads the photo).
  std::string photo_receipt;
  {
    auto phone = Must(Database::Open(tmp.File("dan.db")), "open the citizen's phone");
    auto http = Must(MakeHttpTransport(server.url()), "connect");
    Must(Login(*phone, *http, server.url(), "dan.p04", "dan-2026"), "login");
    NewReport report;
    report.category_id = "rac-thai";
    report.ward_id = "p04";
    report.title = "Rác đổ cạnh trạm biến áp";
    report.description = "Rác để nhiều ngày, bốc mùi.";
    const std::string id = Must(phone->FileReport(report), "file the report");
    WriteJpeg(tmp.File("hien-truong.jpg"), 800, 600);
    Must(AttachPhotos(*phone, id, {tmp.File("hien-truong.jpg")}), "attach the photo");
    Must(Sync(*phone, *http), "sync");
    auto photos = Must(ListPhotos(*phone, id), "list photos");
    if (photos.size() != 1 || photos[0].local != "sent")
      Fail("the photo did not reach the server (" +
           (photos.empty() ? std::string("none") : photos[0].local) + ")");
    photo_receipt = Must(phone->GetReport(id), "get report").receipt_code.value_or("");
  }
  // A month later the report is overdue: p04's drill-down lists it.
  if (!server.AdvanceClock(std::chrono::hours(24 * 30))) Fail("moving the server's clock");
  std::printf("ok - a citizen's phone sent report %s with a photo\n", photo_receipt.c_str());

  // The command line gives the same figures, beside the running server.
  CommandResult cli =
      Run({SyncserverBin(), "report", "units", "--data=" + server.data_dir(),
           std::string("--from=") + kMonitorFrom, std::string("--to=") + kMonitorTo, "--csv"});
  const std::string district =
      ",q11,district,Quận 11,District 11,7,4,1,2,1,0,2,1,0.2500,1.0,5.5,9.0,30.5,3,2,0.6667,2,3.50";
  if (cli.exit_code != 0 || cli.out.find(district) == std::string::npos)
    Fail("syncserver report units --csv: " + cli.out + cli.err);
  std::printf("ok - syncserver report units gives the district's figures\n");
  const std::vector<std::string> cases = {SyncserverBin(),
                                          "report",
                                          "cases",
                                          "--data=" + server.data_dir(),
                                          std::string("--from=") + kMonitorFrom,
                                          std::string("--to=") + kMonitorTo,
                                          "--overdue",
                                          "--csv"};
  std::vector<std::string> p04 = cases, nowhere = cases;
  p04.push_back("--unit=p04");
  nowhere.push_back("--unit=nowhere");
  CommandResult late = Run(p04);
  if (late.exit_code != 0 || late.out.find("Q11-AAAA-0003") == std::string::npos ||
      late.out.find("Q11-AAAA-0007") == std::string::npos ||
      late.out.find("Q11-AAAA-0001") != std::string::npos)
    Fail("syncserver report cases --unit=p04 --overdue: " + late.out + late.err);
  CommandResult unknown = Run(nowhere);
  if (unknown.exit_code != 1 || unknown.err.find("no unit 'nowhere'") == std::string::npos)
    Fail("syncserver report cases --unit=nowhere: exit " + std::to_string(unknown.exit_code));
  std::printf("ok - syncserver report cases lists p04's overdue cases, refuses an unknown unit\n");

  const std::string screenshot = out_dir + "/monitor_dashboard.png";
  CommandResult browser =
      Run({tools->node, web_dir + "/monitor_dashboard.test.mjs", "--url=" + server.url(),
           std::string("--from=") + kMonitorFrom, std::string("--to=") + kMonitorTo,
           "--chromium=" + tools->chromium, "--screenshot=" + screenshot,
           "--photo-receipt=" + photo_receipt, "--downloads=" + tmp.File("downloads")});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");
  std::printf("screenshot: %s\n", screenshot.c_str());
  return 0;
}
