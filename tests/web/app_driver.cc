// ctest "web: app": the offline web app (devicecore/app, devicecore in WebAssembly) in
// headless chromium against the real server. Starts syncserver with a citizen and a ward
// official, runs app.test.mjs (first visit, offline filing with photos, reload, browser
// restart, reconnect, an official's offline handling, live update, two tabs, keyboard only,
// axe-core on every screen, screenshots into OUTPUT_DIR), then checks what only the server
// and SQLite can tell:
// - every report the browser filed is on the server exactly once, with the receipt code the
//   app showed, its photo row and the photo's bytes;
// - the official's offline "accepted" arrived;
// - the device database the app stored (exported from OPFS by the test) passes SQLite's
//   integrity check and holds every filed report once, after two tabs wrote at once.
//
// Exits 77 (skip) like the other browser tests when chromium, node or tests/web/node_modules
// (playwright-core, axe-core) is missing, except in CI.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "browser_driver.h"
#include "q11sqlite/sqlite.h"
#include "test_support.h"

using namespace q11;
using namespace q11::test;
using namespace q11::test::web;

namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

std::string Text(sql::Db& db, const std::string& query) {
  return Must(db.QueryText(query), query).value_or("(null)");
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
  if (!Exists(web_dir + "/node_modules/axe-core/axe.min.js")) {
    std::printf("SKIP: needs %s/node_modules/axe-core (run scripts/install-deps)\n",
                web_dir.c_str());
    return MissingTools();
  }
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  if (!server.AddUser("lan.nguyen", "mat-khau-lan", "citizen") ||
      !server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"))
    Fail("adding accounts: " + server.error());
  if (!server.Start()) Fail("server start: " + server.error());

  // Nothing of an earlier run may pass for this one's.
  std::filesystem::remove_all(out_dir + "/app_device");
  std::filesystem::remove(out_dir + "/app_reports.json");
  for (const auto& e : std::filesystem::directory_iterator(out_dir))
    if (e.path().filename().string().rfind("app-failure-", 0) == 0)
      std::filesystem::remove(e.path());
  CommandResult browser =
      Run({tools->node, web_dir + "/app.test.mjs", "--url=" + server.url(), "--out=" + out_dir,
           "--citizen=lan.nguyen:mat-khau-lan", "--official=canbo.p04:mat-khau-p04",
           "--chromium=" + tools->chromium});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");

  std::ifstream in(out_dir + "/app_reports.json");
  std::stringstream json;
  json << in.rdbuf();
  Poco::JSON::Parser parser;
  Poco::JSON::Array::Ptr filed = parser.parse(json.str()).extract<Poco::JSON::Array::Ptr>();
  if (filed.isNull() || filed->size() < 6) Fail("app_reports.json lists fewer than 6 reports");

  auto srv = Must(sql::Db::Open(server.data_dir() + "/syncserver.db", false), "open server db");
  auto dev = Must(sql::Db::Open(out_dir + "/app_device/device.db", false), "open device db");
  const std::string integrity = Text(dev, "PRAGMA integrity_check");
  if (integrity != "ok") Fail("the device database is damaged: " + integrity);
  std::printf("ok - the device database the app stored passes PRAGMA integrity_check\n");

  for (size_t i = 0; i < filed->size(); ++i) {
    Poco::JSON::Object::Ptr r = filed->getObject(static_cast<unsigned>(i));
    const std::string title = r->getValue<std::string>("title");
    const std::string code = r->getValue<std::string>("code");
    const int photos = r->getValue<int>("photos");
    const std::string where = " FROM reports WHERE title = " + Quote(title);
    const std::string count = Text(srv, "SELECT count(*)" + where);
    if (count != "1") Fail("\"" + title + "\" is on the server " + count + " times, not once");
    const std::string server_code = Text(srv, "SELECT receipt_code" + where);
    if (server_code != code)
      Fail("\"" + title + "\": the server holds " + server_code + ", the app showed " + code);
    const std::string id = Text(srv, "SELECT id" + where);
    const std::string photo_rows =
        Text(srv, "SELECT count(*) FROM photos WHERE report_id = " + Quote(id));
    if (photo_rows != std::to_string(photos))
      Fail("\"" + title + "\": " + photo_rows + " photo rows on the server, expected " +
           std::to_string(photos));
    if (photos > 0) {
      const std::string sha =
          Text(srv, "SELECT sha256 FROM photos WHERE report_id = " + Quote(id) + " LIMIT 1");
      if (!Exists(server.data_dir() + "/photos/" + sha + ".full"))
        Fail("\"" + title + "\": the photo's bytes did not reach the server");
    }
    // The one filed on the IndexedDB device is not in the OPFS device's export.
    const std::string on_device = Text(dev, "SELECT count(*)" + where);
    if (!r->has("device") && on_device != "1")
      Fail("\"" + title + "\" is on the device " + on_device + " times");
    std::printf("ok - \"%s\" (%s) is on the server (and its device) exactly once, %d photo(s)\n",
                title.c_str(), code.c_str(), photos);
  }
  const std::string first = filed->getObject(0)->getValue<std::string>("title");
  const std::string id = Text(srv, "SELECT id FROM reports WHERE title = " + Quote(first));
  const std::string accepted =
      Text(srv,
           "SELECT count(*) FROM case_events WHERE kind = 'status' AND status = 'accepted' AND "
           "report_id = " +
               Quote(id));
  if (accepted != "1") Fail("the official's offline acceptance did not arrive: " + accepted);
  const std::string status = Text(srv, "SELECT status FROM reports WHERE id = " + Quote(id));
  const std::string result_photos =
      Text(srv, "SELECT count(*) FROM photos WHERE role = 'result' AND report_id = " + Quote(id));
  if (status != "resolved" || result_photos != "1")
    Fail("the official's result did not arrive: " + status + ", " + result_photos + " photo(s)");
  const std::string stars =
      Text(srv, "SELECT stars FROM case_events WHERE kind = 'rating' AND report_id = " + Quote(id));
  if (stars != "4") Fail("the citizen's rating did not arrive: " + stars);
  std::printf(
      "ok - the official's offline acceptance, the result with its photo and the "
      "citizen's 4-star rating are on the server\n");
  // The official's other actions (app.test.mjs, 6c).
  const std::string second =
      Text(srv, "SELECT id FROM reports WHERE title = " +
                    Quote(filed->getObject(1)->getValue<std::string>("title")));
  const std::string third_where =
      " FROM reports WHERE title = " + Quote(filed->getObject(2)->getValue<std::string>("title"));
  const std::string expected =
      Text(srv, "SELECT expected_at FROM reports WHERE id = " + Quote(second));
  const std::string unit =
      Text(srv, "SELECT assigned_unit FROM reports WHERE id = " + Quote(second));
  if (expected.rfind("2030-01-15T10:00:00", 0) != 0 || unit != "phong-qldt")
    Fail("the progress note or the assignment did not arrive: " + expected + ", " + unit);
  const std::string dup = Text(srv, "SELECT status || ' ' || duplicate_of" + third_where);
  if (dup != "duplicate " + second) Fail("the duplicate did not arrive: " + dup);
  std::printf(
      "ok - the progress note (2030-01-15 17:00 +07), the assignment and the duplicate "
      "are on the server\n");
  return 0;
}
