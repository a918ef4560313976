// GET /metrics and the JSON log (docs/monitoring.md, "Watching the server") on the real
// server, on either backend: devices push (applied, parked and refused entries), pull,
// wait for changes and send a photo; the scrape's figures move as they should, and
// Debian's `promtool check metrics` accepts the text. The guard: loopback clients, or a
// token; a client behind a trusted proxy is as remote as it says. The log: with
// --log-format=json every line on stderr is one JSON object, requests carry their id,
// and a hostile X-Request-Id can neither add a line nor a field.
//
// promtool comes with Debian's prometheus package (scripts/install-deps); without it the
// promtool case exits 77 (skipped), except under CI=... where that fails.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "device_helpers.h"
#include "devicecore/database.h"
#include "devicecore/photos.h"
#include "devicecore/sync.h"
#include "noise_jpeg.h"
#include "test_backend.h"
#include "test_support.h"

using namespace q11;
using namespace q11::device;
using namespace q11::test;

namespace {

struct Answer {
  int status = 0;
  std::string body, content_type, request_id;
};

Answer Get(int port, const std::string& path,
           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  Poco::Net::HTTPClientSession s("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_GET, path,
                             Poco::Net::HTTPMessage::HTTP_1_1);
  for (const auto& [k, v] : headers) req.set(k, v);
  s.sendRequest(req);
  Poco::Net::HTTPResponse resp;
  std::istream& in = s.receiveResponse(resp);
  Answer a;
  std::ostringstream body;
  Poco::StreamCopier::copyStream(in, body);
  a.status = static_cast<int>(resp.getStatus());
  a.body = body.str();
  a.content_type = resp.getContentType();
  a.request_id = resp.get("X-Request-Id", "");
  return a;
}

// The samples of a scrape: "name{labels}" → value (HELP/TYPE lines left out).
std::map<std::string, double> Parse(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    const size_t space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

std::map<std::string, double> Scrape(const ServerProcess& server) {
  Answer a = Get(server.port(), "/metrics");
  INFO(a.body);
  REQUIRE(a.status == 200);
  CHECK(a.content_type == "text/plain; version=0.0.4; charset=utf-8");
  return Parse(a.body);
}

double At(const std::map<std::string, double>& m, const std::string& key) {
  auto it = m.find(key);
  INFO("no sample " << key);
  REQUIRE(it != m.end());
  return it->second;
}

[[noreturn]] void SkipOrFail(const std::string& why) {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false") {
    std::fprintf(stderr, "FAIL: the promtool check cannot be skipped in CI: %s\n", why.c_str());
    std::fflush(stderr);
    std::exit(1);
  }
  std::printf("SKIP: %s (run scripts/install-deps)\n", why.c_str());
  std::fflush(stdout);
  std::exit(77);
}

std::string Promtool() {
  const char* env = std::getenv("Q11_PROMTOOL");
  const std::string bin = env != nullptr && *env != '\0' ? env : "/usr/bin/promtool";
  if (access(bin.c_str(), X_OK) != 0)
    SkipOrFail(bin + " is not installed (Debian package prometheus)");
  return bin;
}

NewReport Pothole() {
  NewReport r;
  r.category_id = "chieu-sang";
  r.ward_id = "p04";
  r.title = "Đèn đường hỏng trước chợ";
  r.description = "Đèn tắt ba đêm liền.";
  return r;
}

std::string Set(const std::string& id, const std::string& set) {
  return "UPDATE reports SET " + set + " WHERE id = '" + id + "'";
}

// The real server with a citizen and two district officials on devices of their own.
struct Office {
  explicit Office(std::vector<std::string> args = {}) : server(tmp.File("server")) {
    REQUIRE(server.AddUser("dan", "mat-khau-dan", "citizen"));
    REQUIRE(server.AddUser("canbo.a", "mat-khau-a", "official", "q11"));
    REQUIRE(server.AddUser("canbo.b", "mat-khau-b", "official", "q11"));
    args.push_back("--clock-file=" + tmp.File("clock"));
    INFO(server.error());
    REQUIRE(server.Start(args));
    citizen = Device("dan", "mat-khau-dan");
    a = Device("canbo.a", "mat-khau-a");
    b = Device("canbo.b", "mat-khau-b");
  }
  std::unique_ptr<Database> Device(const std::string& user, const std::string& password) {
    auto db = OpenDevice(tmp.File(user + ".db"));
    auto http = Connect(server.url());
    REQUIRE(Login(*db, *http, server.url(), user, password).ok());
    return db;
  }
  SyncResult SyncNow(Database& db) {
    auto http = Connect(server.url());
    auto r = Sync(db, *http);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  TempDir tmp;
  ServerProcess server;
  std::unique_ptr<Database> citizen, a, b;
};

}  // namespace

TEST_CASE("Metrics: syncs, verdicts, pulls, conflicts, watchers and photos move the figures") {
  Office o;
  const auto before = Scrape(o.server);
  CHECK(At(before, "q11_store_up") == 1);
  CHECK(At(before, "q11_open_conflicts") == 0);
  CHECK(At(before, "q11_overdue_cases") == 0);
  CHECK(At(before, "q11_waiting_watchers") == 0);
  CHECK(At(before, "q11_database_bytes") > 0);
  CHECK(At(before, "q11_process_resident_memory_bytes") > 0);
  CHECK(At(before, "q11_process_start_time_seconds") > 1.7e9);
  // SQLite's own WAL file is reported; PostgreSQL's belongs to its cluster.
  CHECK(before.count("q11_wal_bytes") == (PostgresBackend() ? 0u : 1u));
  const double applied0 = At(before, "q11_push_entries_total{verdict=\"applied\"}");
  const double parked0 = At(before, "q11_push_entries_total{verdict=\"parked\"}");
  const double rejected0 = At(before, "q11_push_entries_total{verdict=\"rejected\"}");
  const double rows0 = At(before, "q11_pull_rows_total");

  // A report with a photo (applied), synced to the officials (pulled).
  const std::string id = *o.citizen->FileReport(Pothole());
  { std::ofstream(o.tmp.File("den.jpg"), std::ios::binary) << NoiseJpeg(400, 300); }
  REQUIRE(AttachPhotos(*o.citizen, id, {o.tmp.File("den.jpg")}).ok());
  SyncResult filed = o.SyncNow(*o.citizen);
  CHECK(filed.applied == 2);  // the report and its photo row
  CHECK(filed.photos.uploaded == 1);
  o.SyncNow(*o.a);
  o.SyncNow(*o.b);
  // Conflicting statuses: B's is parked.
  REQUIRE(o.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  REQUIRE(o.b->ExecCaptured(Set(id, "status = 'rejected', assigned_unit = 'phong-qldt'")).ok());
  CHECK(o.SyncNow(*o.a).applied == 1);
  CHECK(o.SyncNow(*o.b).parked == 1);
  // A citizen may not accept a case: refused by the write rules.
  REQUIRE(o.citizen->ExecCaptured(Set(id, "status = 'in_progress'")).ok());
  CHECK(o.SyncNow(*o.citizen).rejected == 1);

  // A device waiting for changes (once it holds everything there is for it).
  o.SyncNow(*o.a);
  std::thread waiter([&] {
    auto http = MakeHttpTransport(o.server.url(), 40000);
    CHECK(http.ok());
    if (!http.ok()) return;
    auto changed = WaitForChanges(*o.a, **http, 30);
    INFO(changed.status().ToString());
    CHECK((changed.ok() && *changed));
  });
  if (!o.server.AwaitWaiting(1)) {
    o.server.Stop();  // answers the wait
    waiter.join();
    FAIL("the device is not waiting");
  }
  const auto during = Scrape(o.server);
  CHECK(At(during, "q11_waiting_watchers") == 1);
  CHECK(At(during, "q11_open_conflicts") == 1);
  CHECK(At(during, "q11_push_entries_total{verdict=\"applied\"}") - applied0 == 3);
  CHECK(At(during, "q11_push_entries_total{verdict=\"parked\"}") - parked0 == 1);
  CHECK(At(during, "q11_push_entries_total{verdict=\"rejected\"}") - rejected0 == 1);
  CHECK(At(during, "q11_pull_rows_total") - rows0 >= 4);  // report + photo, to two officials
  CHECK(At(during, "q11_pull_bytes_total") > 0);
  CHECK(At(during, "q11_photo_bytes") > 0);  // the cleaned photo and its thumbnail
  // Every successful sync is in the latency histogram, and counted by its route.
  const double syncs = At(during, "q11_http_requests_total{route=\"/v1/sync\",status=\"200\"}");
  CHECK(syncs >= 6);
  CHECK(At(during, "q11_sync_duration_seconds_count") == syncs);
  CHECK(At(during, "q11_sync_duration_seconds_bucket{le=\"+Inf\"}") == syncs);
  CHECK(At(during, "q11_sync_duration_seconds_sum") > 0);
  // Pushes and device bindings went through the group commit.
  CHECK(At(during, "q11_group_commit_writes_count") >= 4);
  CHECK(At(during, "q11_group_commit_writes_sum") >= At(during, "q11_group_commit_writes_count"));

  // The conflict is resolved (by the command line); a new report wakes the waiting device.
  CommandResult r =
      Run({SyncserverBin(), "conflicts", "list", "--json", "--data=" + o.server.data_dir()});
  REQUIRE(r.exit_code == 0);
  const std::string cid = Poco::JSON::Parser()
                              .parse(r.out)
                              .extract<Poco::JSON::Object::Ptr>()
                              ->getArray("conflicts")
                              ->getObject(0)
                              ->getValue<std::string>("id");
  r = Run({SyncserverBin(), "conflicts", "resolve", cid, "--take=server",
           "--data=" + o.server.data_dir()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(o.citizen->FileReport(Pothole()).ok());
  o.SyncNow(*o.citizen);
  waiter.join();
  const auto after = Scrape(o.server);
  CHECK(At(after, "q11_open_conflicts") == 0);
  CHECK(At(after, "q11_waiting_watchers") == 0);

  // Past their deadlines (weeks of working days later) both open cases are overdue.
  REQUIRE(o.server.AdvanceClock(std::chrono::hours(24 * 90)));
  CHECK(At(Scrape(o.server), "q11_overdue_cases") == 2);
}

TEST_CASE("Metrics: requests are counted by route pattern, never by raw path") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.Start());
  for (int i = 0; i < 50; ++i) {
    Get(server.port(), "/no/such/" + std::to_string(i));
    Get(server.port(), "/v1/photos/" + std::string(64, "0123456789abcdef"[i % 16]) + "/status");
    Get(server.port(), "/public/receipts/Q11-AAAA-" + std::to_string(1000 + i));
  }
  const std::string text = Get(server.port(), "/metrics").body;
  CHECK_THAT(text, !Catch::Contains("/no/such"));
  CHECK_THAT(text, !Catch::Contains("Q11-AAAA"));
  const auto m = Parse(text);
  CHECK(At(m, "q11_http_requests_total{route=\"other\",status=\"404\"}") == 50);
  double photos = 0, receipts = 0;
  int series = 0;
  for (const auto& [key, value] : m) {
    if (key.rfind("q11_http_requests_total{", 0) != 0) continue;
    ++series;
    if (key.find("route=\"/v1/photos/{sha256}/status\"") != std::string::npos) photos += value;
    if (key.find("route=\"/public/receipts/{code}\"") != std::string::npos) receipts += value;
  }
  CHECK(photos == 50);
  CHECK(receipts == 50);
  CHECK(series <= 8);  // a handful of (route, status) pairs, not 150 paths
}

TEST_CASE("Metrics: promtool check metrics accepts the scrape of a server that has worked") {
  const std::string promtool = Promtool();
  Office o;
  const std::string id = *o.citizen->FileReport(Pothole());
  o.SyncNow(*o.citizen);
  o.SyncNow(*o.a);
  REQUIRE(o.a->ExecCaptured(Set(id, "status = 'accepted'")).ok());
  o.SyncNow(*o.a);
  Get(o.server.port(), "/no/such/path");
  const std::string text = Get(o.server.port(), "/metrics").body;
  const std::string file = o.tmp.File("metrics.txt");
  std::ofstream(file) << text;
  CommandResult check = Run({"/bin/sh", "-c", "\"$0\" check metrics < \"$1\"", promtool, file});
  INFO(text);
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  // Every family has HELP and TYPE, and every name the q11_ prefix.
  std::istringstream in(text);
  int helps = 0, types = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("# HELP ", 0) == 0) ++helps;
    if (line.rfind("# TYPE ", 0) == 0) ++types;
    const std::string name = line.rfind("# ", 0) == 0 ? line.substr(7) : line;
    CHECK(name.rfind("q11_", 0) == 0);
  }
  CHECK(helps == types);
  CHECK(helps >= 14);
}

TEST_CASE("Metrics: only loopback clients read /metrics, or those with the token") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  const std::string token = "metrics-token-for-the-test-0123";
  REQUIRE(server.Start({"--trusted-proxy=127.0.0.1,::1", "--metrics-token=" + token}));
  const int port = server.port();
  // Straight from loopback: read.
  CHECK(Get(port, "/metrics").status == 200);
  // Through the trusted proxy from a remote client: refused, saying how to get in.
  Answer remote = Get(port, "/metrics", {{"X-Forwarded-For", "203.0.113.7"}});
  CHECK(remote.status == 403);
  CHECK_THAT(remote.body, Catch::Contains("\"error\":\"permission_denied\""));
  CHECK_THAT(remote.body, Catch::Contains("--metrics-token"));
  CHECK_THAT(remote.body, !Catch::Contains("q11_"));
  // The same client with the token: read.
  Answer with_token = Get(
      port, "/metrics", {{"X-Forwarded-For", "203.0.113.7"}, {"Authorization", "Bearer " + token}});
  CHECK(with_token.status == 200);
  CHECK_THAT(with_token.body, Catch::Contains("q11_http_requests_total"));
  // A wrong token is refused from anywhere, loopback too.
  for (const std::vector<std::pair<std::string, std::string>>& h :
       std::vector<std::vector<std::pair<std::string, std::string>>>{
           {{"Authorization", "Bearer " + token + "x"}},
           {{"Authorization", "Bearer " + token.substr(0, token.size() - 1) + "X"}},
           {{"Authorization", "Basic " + token}},
           {{"X-Forwarded-For", "203.0.113.7"}, {"Authorization", "Bearer wrong"}}}) {
    Answer a = Get(port, "/metrics", h);
    CHECK(a.status == 401);
    CHECK_THAT(a.body, Catch::Contains("\"error\":\"unauthenticated\""));
  }
  // The refusals are counted like any request.
  const auto m = Scrape(server);
  CHECK(At(m, "q11_http_requests_total{route=\"/metrics\",status=\"403\"}") == 1);
  CHECK(At(m, "q11_http_requests_total{route=\"/metrics\",status=\"401\"}") == 4);
  server.Stop();

  // Without --trusted-proxy, X-Forwarded-For from a loopback peer proves nothing.
  REQUIRE(server.Start());
  CHECK(Get(server.port(), "/metrics", {{"X-Forwarded-For", "203.0.113.7"}}).status == 200);
  // Without --metrics-token no token opens it.
  CHECK(Get(server.port(), "/metrics", {{"Authorization", "Bearer " + token}}).status == 401);
  server.Stop();
  // The token from a file named in the configuration file (kept out of the process list).
  {
    std::ofstream(tmp.File("metrics.token")) << token << "\n";
    std::ofstream(tmp.File("syncserver.properties"))
        << "syncserver.metrics-token-file = " << tmp.File("metrics.token") << "\n";
  }
  REQUIRE(server.Start({"--config=" + tmp.File("syncserver.properties")}));
  CHECK(Get(server.port(), "/metrics", {{"Authorization", "Bearer " + token}}).status == 200);
  CHECK(Get(server.port(), "/metrics", {{"Authorization", "Bearer " + token + "0"}}).status == 401);
  server.Stop();
  // A token too short to be one is a usage error.
  CommandResult bad =
      Run({SyncserverBin(), "serve", "--data=" + tmp.File("x"), "--metrics-token=short"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("16-256 printable"));
}

namespace {

// Sends raw bytes as one request and reads the answer's head (to the blank line).
std::string RawExchange(int port, const std::string& bytes) {
  Poco::Net::StreamSocket s(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)));
  s.setReceiveTimeout(Poco::Timespan(10, 0));
  s.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string got;
  char buf[4096];
  for (;;) {
    int n = 0;
    try {
      n = s.receiveBytes(buf, sizeof buf);
    } catch (const Poco::Exception&) {
      break;
    }
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
    if (got.find("\r\n\r\n") != std::string::npos) break;
  }
  return got;
}

std::vector<Poco::JSON::Object::Ptr> JsonLines(const std::string& log_file) {
  std::vector<Poco::JSON::Object::Ptr> lines;
  std::ifstream in(log_file);
  for (std::string line; std::getline(in, line);) {
    INFO("log line: " << line);
    Poco::JSON::Object::Ptr o;
    try {
      o = Poco::JSON::Parser().parse(line).extract<Poco::JSON::Object::Ptr>();
    } catch (const Poco::Exception& e) {
      FAIL("not one JSON object: " << e.displayText());
    }
    REQUIRE(o);
    CHECK(o->has("ts"));
    CHECK(o->has("level"));
    CHECK(o->has("msg"));
    lines.push_back(o);
  }
  return lines;
}

}  // namespace

TEST_CASE("Logs: --log-format=json writes one JSON object a line, with request ids") {
  TempDir tmp;
  ServerProcess server(tmp.File("server"));
  REQUIRE(server.AddUser("dan", "mat-khau-dan-bi-mat", "citizen"));
  REQUIRE(server.Start({"--log-format=json"}));
  const int port = server.port();

  // A client's sane id comes back and is on its line; a request without one gets one.
  Answer own = Get(port, "/healthz", {{"X-Request-Id", "phone-7f3a.sync:42"}});
  CHECK(own.status == 200);
  CHECK(own.request_id == "phone-7f3a.sync:42");
  Answer none = Get(port, "/readyz");
  CHECK(std::regex_match(none.request_id, std::regex("[0-9a-f]{16}")));

  // A device's sync (the device sends an id of its own with every call).
  auto db = OpenDevice(tmp.File("dan.db"));
  auto http = Connect(server.url());
  REQUIRE(Login(*db, *http, server.url(), "dan", "mat-khau-dan-bi-mat").ok());
  REQUIRE(db->FileReport(Pothole()).ok());
  REQUIRE(Sync(*db, *http).ok());
  const std::string user_id = db->GetAccount()->user_id;

  // Hostile ids: quotes and a would-be field, control bytes, invalid UTF-8, a folded
  // header line, 10 KB. None is taken; none may add a line or a field.
  const std::vector<std::string> hostile = {
      R"(x","level":"fake","injected":"1)",
      std::string("a\x01\x1b[31mred\x7f\xff\xfe", 12),
      "abc\r\n \"injected\":\"folded\"",
      std::string(10 * 1024, 'A'),
      "id with spaces",
  };
  for (const std::string& h : hostile) {
    std::string answer = RawExchange(port,
                                     "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                     "X-Request-Id: " +
                                         h + "\r\nConnection: close\r\n\r\n");
    INFO(answer.substr(0, 300));
    CHECK(answer.rfind("HTTP/1.1 ", 0) == 0);
    CHECK_THAT(answer, !Catch::Contains("injected"));
  }
  // The server still answers, and its log is whole.
  CHECK(Get(port, "/healthz").status == 200);
  server.Stop();

  const std::vector<Poco::JSON::Object::Ptr> lines = JsonLines(server.log_file());
  REQUIRE(lines.size() >= 8);
  int requests = 0, own_id = 0, syncs = 0;
  std::set<std::string> ids;
  for (const auto& o : lines) {
    CHECK(!o->has("injected"));
    CHECK(o->getValue<std::string>("level") != "fake");
    CHECK(std::regex_match(o->getValue<std::string>("ts"),
                           std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")));
    if (o->getValue<std::string>("msg") != "request") continue;
    ++requests;
    const std::string rid = o->getValue<std::string>("request_id");
    CHECK(rid.size() <= 64);
    CHECK(ids.insert(rid).second);  // one line per request, each its own id
    CHECK(o->has("method"));
    CHECK(o->has("route"));
    CHECK(o->has("status"));
    CHECK(o->has("duration_ms"));
    CHECK(o->getValue<std::string>("client") == "127.0.0.1");
    if (rid == "phone-7f3a.sync:42") ++own_id;
    if (o->getValue<std::string>("route") == "/v1/sync") {
      ++syncs;
      CHECK(rid.rfind("q11-", 0) == 0);                       // the device's own id
      CHECK(o->getValue<std::string>("user_id") == user_id);  // pseudonymous, not "dan"
    }
  }
  CHECK(own_id == 1);
  CHECK(syncs >= 1);
  CHECK(requests >= 8);
  // Nothing confidential: no password, no account name, no report text.
  std::ifstream in(server.log_file());
  std::stringstream all;
  all << in.rdbuf();
  CHECK_THAT(all.str(), !Catch::Contains("mat-khau-dan-bi-mat"));
  CHECK_THAT(all.str(), !Catch::Contains("\"dan\""));
  CHECK_THAT(all.str(), !Catch::Contains("Đèn đường"));
  CHECK_THAT(all.str(), !Catch::Contains("Bearer"));
}
