// ctest "openapi: description" and "openapi: live answers" (docs/openapi.yaml).
//
//   openapi_driver description TESTS_WEB_DIR SOURCE_DIR
//     runs openapi_description.test.mjs: the description is valid for an outside validator
//     (@readme/openapi-parser) and names every route the router knows.
//   openapi_driver live TESTS_WEB_DIR SOURCE_DIR
//     starts two real servers on loopback ports and runs openapi_live.test.mjs, which calls
//     every operation of the description for real (as citizen, official, leader, admin, with
//     an Open311 API key, and the error cases) and checks each answer's status, content
//     type, headers and body against the description. The main server holds a citizen's
//     report with two photos (one uploaded, one whose bytes the test uploads), an accepted
//     status and a conflict parked between two officials; the second runs with tight limits
//     (rate limits, a 1 KiB body cap, one watcher, a disk floor it cannot meet) so the 413,
//     429 and 503 answers are real too. The script gets the second server's change-log end
//     (a wait from there is held; one from past it answers at once).
//
// Exits 77 (ctest SKIP_RETURN_CODE) when node or tests/web/node_modules is missing, except in
// CI (browser_driver.h, MissingTools).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "browser_driver.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "q11sqlite/sqlite.h"
#include "test_backend.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;
using namespace q11::test::web;

namespace {

// The accounts both sides know (the script gets them as arguments).
constexpr const char* kPassword = "mat-khau-openapi";

SyncResult SyncNow(Database& db, const std::string& url, bool upload_photos = true) {
  auto http = Must(MakeHttpTransport(url), "connect");
  SyncOptions options;
  options.upload_photos = upload_photos;
  return Must(Sync(db, *http, options), "sync");
}

std::string Query(const std::string& db_path, const std::string& sql) {
  auto db = Must(sql::Db::Open(db_path, false), "open " + db_path);
  auto v = Must(db.QueryText(sql), sql);
  if (!v) Fail("no row for: " + sql);
  return *v;
}

// `syncserver apikey add`: the key it prints once.
std::string AddApiKey(const std::string& data_dir, const std::string& name) {
  CommandResult r = Run({SyncserverBin(), "apikey", "add", "--data=" + data_dir, "--name=" + name});
  if (r.exit_code != 0) Fail("apikey add: " + r.err);
  std::string key = r.out.substr(0, r.out.find_first_of("\r\n"));
  if (key.rfind("o311_", 0) != 0) Fail("apikey add printed no key: " + r.out);
  return key;
}

int RunNode(const std::string& node, std::vector<std::string> args) {
  args.insert(args.begin(), node);
  CommandResult r = Run(args);
  std::fputs(r.out.c_str(), stdout);
  std::fputs(r.err.c_str(), stderr);
  return r.exit_code;
}

int Live(const std::string& node, const std::string& web_dir, const std::string& source_dir) {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  for (const auto& [name, role, unit] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"quantri", "admin", ""},
           {"lanhdao", "leader", ""},
           {"dan", "citizen", ""},
           {"khoa", "citizen", ""}})  // the script disables it once logged in
    if (!server.AddUser(name, kPassword, role, unit)) Fail("adding " + name);
  const std::string api_key = AddApiKey(server.data_dir(), "cong-thong-tin");
  if (!server.Start()) Fail("server start: " + server.error());
  const std::string url = server.url();

  auto open = [&](const std::string& user) {
    auto db = Must(Database::Open(tmp.File(user + ".db")), "open " + user);
    auto http = Must(MakeHttpTransport(url), "connect");
    Must(Login(*db, *http, url, user, kPassword), "login " + user);
    SyncNow(*db, url);  // the reference data: units and categories
    return db;
  };
  auto citizen = open("dan");
  // Whatever the reference data holds: the first ward and the first category.
  const std::string ward =
      Query(tmp.File("dan.db"), "SELECT id FROM units WHERE kind = 'ward' ORDER BY id LIMIT 1");
  const std::string category =
      Query(tmp.File("dan.db"), "SELECT id FROM categories ORDER BY id LIMIT 1");
  NewReport report;
  report.category_id = category;
  report.ward_id = ward;
  report.title = "Đèn đường hỏng trước số 12";
  report.description = "Đèn tắt cả tuần nay, hẻm rất tối.";
  report.lat = 10.7634;
  report.lon = 106.6502;
  const std::string id = Must(citizen->FileReport(report), "file report");
  // Two real PNGs (the app's icons): the first uploaded by the device, the second only
  // announced (its row pushed), so the script uploads its bytes itself.
  const std::string icons = source_dir + "/devicecore/app/";
  Must(AttachPhotos(*citizen, id, {icons + "icon-192.png"}), "attach the first photo");
  SyncResult first = SyncNow(*citizen, url);
  if (first.photos.uploaded != 1) Fail("the first photo was not uploaded");
  Must(AttachPhotos(*citizen, id, {icons + "icon-512.png"}), "attach the second photo");
  SyncNow(*citizen, url, /*upload_photos=*/false);
  const std::string db = tmp.File("dan.db");
  const std::string receipt = Query(db, "SELECT receipt_code FROM reports WHERE id = '" + id + "'");
  const std::string uploaded = Query(db, "SELECT sha256 FROM photos WHERE report_id = '" + id +
                                             "' ORDER BY created_at, id LIMIT 1");
  const std::string pending = Query(db, "SELECT sha256 FROM photos WHERE report_id = '" + id +
                                            "' AND sha256 != '" + uploaded + "'");

  // Two officials of the report's ward (added beside the running server, once the ward is
  // known) change the status offline: A's accepted lands, B's rejected is parked.
  for (const char* name : {"canbo.a", "canbo.b"})
    if (!server.AddUser(name, kPassword, "official", ward)) Fail(std::string("adding ") + name);
  auto a = open("canbo.a");
  auto b = open("canbo.b");
  MustOk(a->SetStatus(id, "accepted", "UBND đã tiếp nhận phản ánh"), "A accepts");
  MustOk(b->SetStatus(id, "rejected", "Không thuộc thẩm quyền của phường"), "B rejects");
  SyncNow(*a, url);
  if (SyncNow(*b, url).parked != 1) Fail("official B's change was not parked");
  CommandResult list =
      Run({SyncserverBin(), "conflicts", "list", "--data=" + server.data_dir(), "--json"});
  if (list.exit_code != 0) Fail("conflicts list: " + list.err);
  auto conflicts =
      Poco::JSON::Parser().parse(list.out).extract<Poco::JSON::Object::Ptr>()->getArray(
          "conflicts");
  if (conflicts->size() != 1) Fail("expected one parked conflict: " + list.out);
  const std::string conflict = conflicts->getObject(0)->getValue<std::string>("id");

  // The second server: every limit tight, so its refusals are real answers to check.
  ServerProcess limited(tmp.File("limited"));
  if (!limited.AddUser("dan", kPassword, "citizen")) Fail("adding dan to the second server");
  const std::string limited_key = AddApiKey(limited.data_dir(), "cong-thong-tin");
  if (!limited.Start({"--login-per-minute=1", "--register-per-hour=1", "--sync-per-minute=1",
                      "--receipt-per-minute=1", "--open311-posts-per-minute=1",
                      "--max-body-bytes=1024", "--max-watchers=1", "--min-free-mib=1073741824"}))
    Fail("second server start: " + limited.error());
  // The end of its change log: a wait from there has nothing to wait for yet, whereas one
  // from past the end answers at once (the server was restored, docs/protocol.md).
  std::string rows_error;
  auto last_seq =
      ServerRows(limited.data_dir(), "SELECT value FROM meta WHERE key = 'last_seq'", &rows_error);
  if (!last_seq || last_seq->size() != 1 || !(*last_seq)[0][0])
    Fail("the second server's last_seq: " + rows_error);
  const std::string limited_cursor = *(*last_seq)[0][0];

  std::printf("report %s (%s) in %s, conflict %s, photos %s (uploaded) and %s\n", id.c_str(),
              receipt.c_str(), ward.c_str(), conflict.c_str(), uploaded.c_str(), pending.c_str());
  int exit_code =
      RunNode(node, {web_dir + "/openapi_live.test.mjs",
                     "--description=" + source_dir + "/docs/openapi.yaml",
                     "--sources=" + source_dir, "--url=" + url, "--limited-url=" + limited.url(),
                     "--password=" + std::string(kPassword), "--report=" + id,
                     "--receipt=" + receipt, "--ward=" + ward, "--category=" + category,
                     "--conflict=" + conflict, "--photo=" + uploaded, "--pending-photo=" + pending,
                     "--pending-photo-file=" + icons + "icon-512.png", "--api-key=" + api_key,
                     "--limited-api-key=" + limited_key, "--limited-cursor=" + limited_cursor,
                     "--syncserver=" + SyncserverBin(), "--data=" + server.data_dir()});
  if (exit_code != 0) {
    std::string log;
    std::ifstream in(server.log_file());
    std::stringstream s;
    s << in.rdbuf();
    log = s.str();
    if (log.size() > 4000) log = log.substr(log.size() - 4000);
    std::fprintf(stderr, "--- end of the server's log ---\n%s\n", log.c_str());
    Fail("the live check failed (exit " + std::to_string(exit_code) + ")");
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4 || (std::string(argv[1]) != "description" && std::string(argv[1]) != "live")) {
    std::fprintf(stderr, "usage: %s description|live TESTS_WEB_DIR SOURCE_DIR\n", argv[0]);
    return 2;
  }
  const std::string mode = argv[1], web_dir = argv[2], source_dir = argv[3];
  std::optional<std::string> node = FindNodeWith(web_dir, "@readme/openapi-parser");
  if (!node) return MissingTools();
  if (mode == "live") return Live(*node, web_dir, source_dir);
  int exit_code = RunNode(
      *node, {web_dir + "/openapi_description.test.mjs",
              "--description=" + source_dir + "/docs/openapi.yaml", "--sources=" + source_dir});
  if (exit_code != 0) Fail("the description check failed (exit " + std::to_string(exit_code) + ")");
  return 0;
}
