// ctest "web: app cases": the cases of the offline web app that app.test.mjs leaves out, in
// headless chromium against the real server. Starts syncserver with two citizens and a ward
// official, runs app_cases.test.mjs (a withdrawal the server parks because an official
// accepted the report meanwhile, its message shown and dismissed; a withdrawal that goes
// through; a reopening with a reason; logout with unsent changes and another citizen's
// login on the same browser profile), then checks on the server's database what the app
// claimed:
// - the parked withdrawal left the report as the official left it (still there, accepted)
//   with one open "delete" conflict for an administrator;
// - the accepted withdrawal deleted the report (archived in deleted_rows);
// - the reopening arrived with its reason;
// - each citizen's reports are on the server once, filed under that citizen;
// - the official was offered the response template the server's reference folder adds (the
//   app reads the reference again after a sync that brought rows), and used it.
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

void Expect(const std::string& got, const std::string& want, const std::string& what) {
  if (got != want) Fail(what + ": expected " + want + ", the server holds " + got);
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
      !server.AddUser("minh.le", "mat-khau-minh", "citizen") ||
      !server.AddUser("canbo.p04", "mat-khau-p04", "official", "p04"))
    Fail("adding accounts: " + server.error());
  // The reference set: the tests' 2018 wards, and one response template more than the
  // app's compiled copy has (the test checks the official is offered it after the sync).
  const std::string reference = tmp.File("danh-muc");
  std::filesystem::create_directory(reference);
  for (const char* f : {"reference.sql", "holidays.sql"})
    std::filesystem::copy_file(std::string(Q11_SAMPLES_DIR) + "/q11-2018/" + f,
                               reference + "/" + f);
  std::ofstream(reference + "/zz-mau-tra-loi.sql")
      << "INSERT INTO response_templates VALUES ('hen-kiem-tra', 'in_progress', 'Hẹn kiểm "
         "tra', 'Cán bộ sẽ kiểm tra thực tế trong tuần này.');\n";
  if (!server.Start({"--reference=" + reference})) Fail("server start: " + server.error());

  // Nothing of an earlier run may pass for this one's.
  const std::string result_file = out_dir + "/app_cases.json";
  std::filesystem::remove(result_file);
  CommandResult browser = Run(
      {tools->node, web_dir + "/app_cases.test.mjs", "--url=" + server.url(), "--out=" + out_dir,
       "--citizen=lan.nguyen:mat-khau-lan", "--citizen2=minh.le:mat-khau-minh",
       "--official=canbo.p04:mat-khau-p04", "--chromium=" + tools->chromium});
  std::fputs(browser.out.c_str(), stdout);
  std::fputs(browser.err.c_str(), stderr);
  if (browser.exit_code != 0)
    Fail("the browser test failed (exit " + std::to_string(browser.exit_code) + ")");

  std::ifstream in(result_file);
  std::stringstream json;
  json << in.rdbuf();
  Poco::JSON::Parser parser;
  Poco::JSON::Object::Ptr r = parser.parse(json.str()).extract<Poco::JSON::Object::Ptr>();
  auto str = [&](const std::string& key) {
    if (r.isNull() || !r->has(key)) Fail("app_cases.json has no \"" + key + "\"");
    return r->getValue<std::string>(key);
  };

  auto srv = Must(sql::Db::Open(server.data_dir() + "/syncserver.db", false), "open server db");

  // The parked withdrawal: the server's data is as the official left it.
  const std::string parked = str("parked");
  const std::string parked_where = " FROM reports WHERE title = " + Quote(parked);
  Expect(Text(srv, "SELECT count(*) || ' ' || status" + parked_where), "1 accepted",
         "\"" + parked + "\" after the parked withdrawal");
  const std::string parked_id = Text(srv, "SELECT id" + parked_where);
  Expect(Text(srv,
              "SELECT count(*) FROM conflicts WHERE tbl = 'reports' AND op = 'delete' AND "
              "state = 'open' AND pk = " +
                  Quote(parked_id)),
         "1", "open delete conflicts on \"" + parked + "\"");
  Expect(Text(srv, "SELECT count(*) FROM deleted_rows WHERE pk = " + Quote(parked_id)), "0",
         "archived rows of \"" + parked + "\"");
  std::printf(
      "ok - the parked withdrawal left \"%s\" on the server, accepted, with one open delete "
      "conflict\n",
      parked.c_str());

  // The withdrawal of a still-new report: gone, archived.
  const std::string withdrawn = str("withdrawn");
  Expect(Text(srv, "SELECT count(*) FROM reports WHERE title = " + Quote(withdrawn)), "0",
         "\"" + withdrawn + "\" rows after its withdrawal");
  Expect(Text(srv, "SELECT count(*) FROM deleted_rows WHERE tbl = 'reports' AND row_json LIKE " +
                       Quote("%" + withdrawn + "%")),
         "1", "archived rows of \"" + withdrawn + "\"");
  std::printf("ok - the withdrawn \"%s\" is deleted on the server (archived once)\n",
              withdrawn.c_str());

  // The reopening, with its reason.
  const std::string reopened = str("reopened"), reason = str("reason");
  const std::string reopened_where = " FROM reports WHERE title = " + Quote(reopened);
  Expect(Text(srv, "SELECT count(*) || ' ' || status" + reopened_where), "1 reopened",
         "\"" + reopened + "\" after the citizen's reopening");
  Expect(Text(srv,
              "SELECT count(*) FROM case_events WHERE kind = 'status' AND status = "
              "'reopened' AND note = " +
                  Quote(reason) + " AND report_id = (SELECT id" + reopened_where + ")"),
         "1", "reopening events with the reason");
  std::printf("ok - \"%s\" is reopened on the server with the citizen's reason\n",
              reopened.c_str());

  // The template the app offered from the server's reference set, used for the progress.
  Expect(Text(srv,
              "SELECT count(*) FROM case_events WHERE kind = 'status' AND status = "
              "'in_progress' AND note LIKE 'Cán bộ sẽ kiểm tra thực tế%' AND report_id = "
              "(SELECT id" +
                  reopened_where + ")"),
         "1", "progress events with the server's new template");
  std::printf("ok - the official used the template the server's reference set added\n");

  // Each citizen's reports: once, under that citizen.
  for (const auto& [key, user] : {std::pair{"lan", "lan.nguyen"}, std::pair{"minh", "minh.le"}}) {
    Poco::JSON::Array::Ptr titles = r->getArray(key);
    if (titles.isNull() || titles->size() == 0)
      Fail(std::string("app_cases.json lists no reports of ") + key);
    for (size_t i = 0; i < titles->size(); ++i) {
      const std::string title = titles->getElement<std::string>(static_cast<unsigned>(i));
      Expect(Text(srv, "SELECT count(*) FROM reports WHERE title = " + Quote(title) +
                           " AND reporter_ref = (SELECT reporter_ref FROM users WHERE name = " +
                           Quote(user) + ")"),
             "1", "\"" + title + "\" filed by " + user);
      std::printf("ok - \"%s\" is on the server once, filed by %s\n", title.c_str(), user);
    }
  }
  return 0;
}
